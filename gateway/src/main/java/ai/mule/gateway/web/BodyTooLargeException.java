package ai.mule.gateway.web;

import java.io.IOException;

/** Thrown while reading a request body that turns out larger than the JSON body limit. */
public class BodyTooLargeException extends IOException {

    public BodyTooLargeException(long limitBytes) {
        super("the request body is larger than the " + limitBytes + "-byte limit; send less data");
    }
}
