package ai.mule.gateway.modules;

import ai.mule.gateway.web.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.InputStreamSource;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.multipart.MultipartFile;

/**
 * Validates uploaded modules a few at a time. The servlet container keeps each upload in a temporary file
 * (spring.servlet.multipart.file-size-threshold is 0), the validator reads it as a stream with a bounded buffer
 * and the repository streams it into PostgreSQL, so no upload is ever held whole on the heap; what one
 * validation does hold (Chicory's objects for the declaration sections, at most some 50 MB for the largest
 * allowed) times {@link #AT_ONCE} is the most uploads can take of the gateway's heap, however many arrive.
 */
@Component
class ModuleUploads {

    /** Validations at once; more wait up to {@link #WAIT}, then answer 503. */
    static final int AT_ONCE = 2;
    // a 16 MB module validates in well under a second: a queue of uploads clears within this
    static final Duration WAIT = Duration.ofSeconds(10);

    private final int atOnce;
    private final Duration wait;
    private final Semaphore permits;

    @Autowired
    ModuleUploads() {
        this(AT_ONCE, WAIT);
    }

    ModuleUploads(int atOnce, Duration wait) {
        this.atOnce = atOnce;
        this.wait = wait;
        this.permits = new Semaphore(atOnce);
    }

    /** The upload's sha256 and size if it is a module the runner can run; a 422 naming every problem if not. */
    WasmBinaryValidator.Checked check(MultipartFile upload) {
        return check((InputStreamSource) upload);
    }

    /** The same validation for a module the gateway compiled (it is held in memory: at most max-output). */
    WasmBinaryValidator.Checked check(InputStreamSource module) {
        try {
            if (!permits.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "the gateway is validating " + atOnce
                        + " other module uploads; retry in a few seconds");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "the gateway is stopping; retry the upload");
        }
        try (InputStream in = module.getInputStream()) {
            return WasmBinaryValidator.validate(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the uploaded module", e);
        } finally {
            permits.release();
        }
    }
}
