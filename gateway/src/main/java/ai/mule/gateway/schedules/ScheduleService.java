package ai.mule.gateway.schedules;

import ai.mule.gateway.web.ApiException;
import ai.mule.gateway.web.Ids;
import ai.mule.gateway.web.Json;
import ai.mule.gateway.web.RequestLimits;
import ai.mule.gateway.web.Timestamps;
import ai.mule.schemas.PostgresText;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Saves schedules after checking every field the way a job request is checked: the workflow must exist, the
 * input must fit {@code mule.limits.max-job-input-bytes} / {@code max-json-depth} and hold storable text, the cron
 * and zone must parse ({@link ScheduleCron}). The next slot is computed on save; a schedule resumed or given a new
 * cron starts from the first slot after now (slots that passed while it was paused are not missed runs).
 */
@Service
class ScheduleService {

    static final int MAX_NAME_LENGTH = 200;

    private final ScheduleRepository schedules;
    private final RequestLimits limits;

    ScheduleService(ScheduleRepository schedules, RequestLimits limits) {
        this.schedules = schedules;
        this.limits = limits;
    }

    @Transactional
    Schedule create(NewSchedule body) {
        if (body.workflowId() == null || body.workflowId().isBlank()) {
            throw ApiException.badRequest("workflow_id is required: the id of the workflow to start, from "
                    + "GET /api/v1/workflows");
        }
        UUID workflowId = workflow(body.workflowId());
        ScheduleCron cron = ScheduleCron.parse(body.cron(), body.timeZone());
        ObjectNode input = input(body);
        MissedRuns missedRuns = MissedRuns.fromWire(body.missedRuns());
        boolean enabled = body.enabled() == null || body.enabled();
        Instant now = Timestamps.now();
        UUID id = UUID.randomUUID();
        schedules.insert(id, workflowId, name(body.name(), ""), cron, input, missedRuns, enabled,
                enabled ? cron.nextAfter(now).orElse(null) : null, now);
        return schedules.find(id).orElseThrow();
    }

    @Transactional
    Schedule update(UUID id, NewSchedule body) {
        Schedule current = schedules.findForUpdate(id)
                .orElseThrow(() -> ApiException.notFound("no schedule with id '" + id + "'"));
        UUID workflowId = body.workflowId() == null ? current.workflowId() : workflow(body.workflowId());
        ScheduleCron cron = ScheduleCron.parse(Objects.requireNonNullElse(body.cron(), current.cron()),
                Objects.requireNonNullElse(body.timeZone(), current.timeZone()));
        ObjectNode input = body.inputData() == null ? (ObjectNode) current.inputData() : input(body);
        MissedRuns missedRuns = MissedRuns.fromWire(Objects.requireNonNullElse(body.missedRuns(), current.missedRuns()));
        boolean enabled = body.enabled() == null ? current.enabled() : body.enabled();
        Instant now = Timestamps.now();
        boolean sameSlots = cron.expression().equals(current.cron()) && cron.zone().getId().equals(current.timeZone());
        Instant next;
        if (!enabled) {
            next = null;
        } else if (current.enabled() && sameSlots) {
            next = current.nextFireAt(); // a due slot not fired yet stays due
        } else {
            next = cron.nextAfter(now).orElse(null);
        }
        schedules.update(id, workflowId, name(body.name(), current.name()), cron, input, missedRuns, enabled, next, now);
        return schedules.find(id).orElseThrow();
    }

    private UUID workflow(String value) {
        UUID workflowId = Ids.fromBody(value, "workflow_id");
        if (schedules.workflowName(workflowId).isEmpty()) {
            throw ApiException.unprocessable("workflow_id '" + workflowId + "' names no workflow; pick one from "
                    + "GET /api/v1/workflows");
        }
        return workflowId;
    }

    /** The input every job of the schedule gets: the rules of POST /api/v1/jobs' {@code input_data}. */
    private ObjectNode input(NewSchedule body) {
        ObjectNode input = Json.objectOrEmpty(body.inputData(), "input_data");
        limits.requireJobInput(input);
        return input;
    }

    private static String name(String value, String current) {
        if (value == null) {
            return current;
        }
        if (value.length() > MAX_NAME_LENGTH) {
            throw ApiException.badRequest("name must be at most " + MAX_NAME_LENGTH + " characters, got "
                    + value.length());
        }
        PostgresText.problem(value, "name").ifPresent(problem -> {
            throw ApiException.badRequest(problem);
        });
        return value;
    }
}
