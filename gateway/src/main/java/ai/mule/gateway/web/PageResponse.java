package ai.mule.gateway.web;

import java.util.List;

/** The envelope of every list: {@code {"data": [...], "page", "page_size", "total_count", "total_pages"}}. */
public record PageResponse<T>(List<T> data, int page, int pageSize, long totalCount, long totalPages) {

    public static <T> PageResponse<T> of(List<T> data, Paging paging, long totalCount) {
        long pages = (totalCount + paging.pageSize() - 1) / paging.pageSize();
        return new PageResponse<>(data, paging.page(), paging.pageSize(), totalCount, pages);
    }

    /** A list that is never paged (a workflow's steps, a job's steps): everything on page 1. */
    public static <T> PageResponse<T> all(List<T> data) {
        return new PageResponse<>(data, 1, data.size(), data.size(), data.isEmpty() ? 0 : 1);
    }
}
