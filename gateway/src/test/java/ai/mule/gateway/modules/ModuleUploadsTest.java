package ai.mule.gateway.modules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.mule.gateway.web.ApiException;
import ai.mule.testkit.WasmFixtures;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockMultipartFile;

class ModuleUploadsTest {

    @Test
    void validatesAFewUploadsAtOnceAndAnswers503PastThem() throws Exception {
        ModuleUploads uploads = new ModuleUploads(1, Duration.ofMillis(200));
        byte[] greet = WasmFixtures.wasm("greet.wasm");
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch reading = new CountDownLatch(1);
        // an upload whose bytes arrive only when released: it holds the one permit meanwhile
        MockMultipartFile slow = new MockMultipartFile("module_data", greet) {
            @Override
            public InputStream getInputStream() {
                return new java.io.FilterInputStream(new ByteArrayInputStream(greet)) {
                    @Override
                    public int read(byte[] b, int off, int len) throws java.io.IOException {
                        reading.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            throw new java.io.InterruptedIOException();
                        }
                        return super.read(b, off, len);
                    }
                };
            }
        };
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<WasmBinaryValidator.Checked> first = pool.submit(() -> uploads.check(slow));
            assertThat(reading.await(5, TimeUnit.SECONDS)).isTrue();

            assertThatThrownBy(() -> uploads.check(new MockMultipartFile("module_data", greet)))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status().value()).isEqualTo(503))
                    .hasMessageContaining("validating 1 other module uploads");

            release.countDown();
            assertThat(first.get(5, TimeUnit.SECONDS).sha256()).isEqualTo(WasmFixtures.sha256(greet));
            assertThat(uploads.check(new MockMultipartFile("module_data", greet)).sizeBytes()).isEqualTo(greet.length);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }
}
