package ai.mule.gateway.web;

/** The one success envelope of the API: {@code {"data": ...}}. */
public record DataResponse<T>(T data) {

    public static <T> DataResponse<T> of(T data) {
        return new DataResponse<>(data);
    }
}
