package ai.mule.gateway.web;

/** A validated page request: {@code page} from 1, {@code page_size} from 1 to 100 (Mule v2's bounds). */
public record Paging(int page, int pageSize) {

    public static final int DEFAULT_PAGE_SIZE = 20;
    public static final int MAX_PAGE_SIZE = 100;

    public static Paging of(Integer page, Integer pageSize) {
        int p = page == null ? 1 : page;
        int size = pageSize == null ? DEFAULT_PAGE_SIZE : pageSize;
        if (p < 1) {
            throw ApiException.badRequest("page must be 1 or more (pages count from 1), got " + p);
        }
        if (size < 1 || size > MAX_PAGE_SIZE) {
            throw ApiException.badRequest("page_size must be between 1 and " + MAX_PAGE_SIZE + ", got " + size);
        }
        return new Paging(p, size);
    }

    public long offset() {
        return (long) (page - 1) * pageSize;
    }
}
