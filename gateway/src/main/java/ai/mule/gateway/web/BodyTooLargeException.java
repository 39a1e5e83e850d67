package ai.mule.gateway.web;

import ai.mule.schemas.Limits;
import java.io.IOException;

/** Thrown while reading a request body that turns out larger than the JSON body limit. */
public class BodyTooLargeException extends IOException {

    /** The setting of the limit, named in the answer's {@code limit} (OpenAI's {@code param}). */
    public static final String SETTING = Limits.PREFIX + "max-json-body";

    public BodyTooLargeException(long limitBytes) {
        super("the request body is larger than the " + limitBytes + "-byte limit (" + SETTING
                + ", MULE_LIMITS_MAX_JSON_BODY); send less data");
    }
}
