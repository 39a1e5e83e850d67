package ai.mule.gateway.schedules;

import ai.mule.gateway.web.ApiException;
import ai.mule.gateway.web.DataResponse;
import ai.mule.gateway.web.Ids;
import ai.mule.gateway.web.PageResponse;
import ai.mule.gateway.web.Paging;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/schedules")
class ScheduleController {

    private static final int MAX_RUNS = 100;

    private final ScheduleService service;
    private final ScheduleRepository schedules;

    ScheduleController(ScheduleService service, ScheduleRepository schedules) {
        this.service = service;
        this.schedules = schedules;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    DataResponse<Schedule> create(@RequestBody NewSchedule body) {
        return DataResponse.of(service.create(body));
    }

    /** All schedules, newest first; {@code workflow_id} keeps those of one workflow. */
    @GetMapping
    PageResponse<Schedule> list(@RequestParam(required = false) Integer page,
                                @RequestParam(name = "page_size", required = false) Integer pageSize,
                                @RequestParam(name = "workflow_id", required = false) String workflowId) {
        Paging paging = Paging.of(page, pageSize);
        UUID workflow = workflowId == null || workflowId.isEmpty() ? null : Ids.fromBody(workflowId, "workflow_id");
        return PageResponse.of(schedules.list(workflow, paging), paging, schedules.count(workflow));
    }

    @GetMapping("/{id}")
    DataResponse<Schedule> get(@PathVariable String id) {
        UUID scheduleId = Ids.fromPath(id, "schedule");
        return DataResponse.of(schedules.find(scheduleId).orElseThrow(() -> notFound(id)));
    }

    /** Changes the fields given, e.g. {@code {"enabled": false}} to pause and {@code {"enabled": true}} to resume. */
    @PutMapping("/{id}")
    DataResponse<Schedule> update(@PathVariable String id, @RequestBody NewSchedule body) {
        return DataResponse.of(service.update(Ids.fromPath(id, "schedule"), body));
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable String id) {
        if (!schedules.delete(Ids.fromPath(id, "schedule"))) {
            throw notFound(id);
        }
    }

    /** The slots the schedule fired, latest first (at most {@value #MAX_RUNS}), with the job each started. */
    @GetMapping("/{id}/runs")
    PageResponse<ScheduleRun> runs(@PathVariable String id, @RequestParam(required = false) Integer limit) {
        UUID scheduleId = Ids.fromPath(id, "schedule");
        schedules.find(scheduleId).orElseThrow(() -> notFound(id));
        int max = limit == null ? Paging.DEFAULT_PAGE_SIZE : limit;
        if (max < 1 || max > MAX_RUNS) {
            throw ApiException.badRequest("limit must be between 1 and " + MAX_RUNS + ", got " + max);
        }
        return PageResponse.all(schedules.runs(scheduleId, max));
    }

    private static ApiException notFound(String id) {
        return ApiException.notFound("no schedule with id '" + id + "'");
    }
}
