package ai.mule.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ValidationRulesTest {

    @Test
    void namesUseASafeAlphabet() {
        assertThat(ResourceNames.isValid("summarize-text_v1.2")).isTrue();
        assertThat(ResourceNames.isValid("a".repeat(100))).isTrue();
        assertThat(ResourceNames.isValid("a".repeat(101))).isFalse();
        assertThat(ResourceNames.isValid("")).isFalse();
        assertThat(ResourceNames.isValid("../x")).isFalse();
        assertThat(ResourceNames.isValid("..")).isFalse();
        assertThat(ResourceNames.isValid("a b")).isFalse();
        assertThat(ResourceNames.isValid("a/b")).isFalse();
    }

    @Test
    void pagesCountFromOneUpToAHundredPerPage() {
        assertThat(Paging.of(null, null)).isEqualTo(new Paging(1, 20));
        assertThat(Paging.of(3, 100).offset()).isEqualTo(200);
        assertThatThrownBy(() -> Paging.of(0, 10)).hasMessageContaining("page must be 1 or more");
        assertThatThrownBy(() -> Paging.of(1, 101)).hasMessageContaining("page_size must be between 1 and 100");
    }

    @Test
    void pagesReportTheirTotals() {
        PageResponse<String> page = PageResponse.of(java.util.List.of("a"), new Paging(2, 2), 3);
        assertThat(page.totalPages()).isEqualTo(2);
        assertThat(PageResponse.of(java.util.List.of(), new Paging(1, 20), 0).totalPages()).isZero();
    }

    @Test
    void malformedPathIdsAreNotFound() {
        assertThatThrownBy(() -> Ids.fromPath("undefined", "job")).isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).status().value()).isEqualTo(404));
        assertThatThrownBy(() -> Ids.fromBody("1-1-1-1-1", "workflow_id"))
                .satisfies(e -> assertThat(((ApiException) e).status().value()).isEqualTo(400));
    }
}
