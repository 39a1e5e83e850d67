package ai.mule.gateway.agents;

import ai.mule.gateway.web.ApiException;
import ai.mule.gateway.web.DataResponse;
import ai.mule.gateway.web.Ids;
import ai.mule.gateway.web.PageResponse;
import ai.mule.gateway.web.Paging;
import jakarta.validation.Valid;
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

/** Skills (Mule v2's {@code /api/v1/skills}): named instruction documents agents can be given. */
@RestController
@RequestMapping("/api/v1/skills")
class SkillController {

    private final SkillRepository skills;

    SkillController(SkillRepository skills) {
        this.skills = skills;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    DataResponse<Skill> create(@Valid @RequestBody NewSkill body) {
        return DataResponse.of(skills.insert(body));
    }

    @GetMapping
    PageResponse<Skill> list(@RequestParam(required = false) Integer page,
                             @RequestParam(name = "page_size", required = false) Integer pageSize) {
        Paging paging = Paging.of(page, pageSize);
        return PageResponse.of(skills.list(paging), paging, skills.count());
    }

    @GetMapping("/{id}")
    DataResponse<Skill> get(@PathVariable String id) {
        return DataResponse.of(skills.find(id(id)).orElseThrow(() -> notFound(id)));
    }

    @PutMapping("/{id}")
    DataResponse<Skill> update(@PathVariable String id, @Valid @RequestBody NewSkill body) {
        return DataResponse.of(skills.update(id(id), body).orElseThrow(() -> notFound(id)));
    }

    /** Deleting a skill detaches it from every agent; jobs already accepted keep the prompt they were given. */
    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable String id) {
        if (!skills.delete(id(id))) {
            throw notFound(id);
        }
    }

    private static UUID id(String id) {
        return Ids.fromPath(id, "skill");
    }

    static ApiException notFound(String id) {
        return ApiException.notFound("no skill with id '" + id + "'");
    }
}
