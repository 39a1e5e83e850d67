package ai.mule.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** A service's {@code /actuator/prometheus} as a test reads it: the value of one series, or whether it exists. */
public final class Prometheus {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final List<String> lines;

    private Prometheus(List<String> lines) {
        this.lines = lines;
    }

    /** Scrapes {@code baseUrl + "/actuator/prometheus"}, with a bearer key when one is given. */
    public static Prometheus scrape(String baseUrl, String apiKey) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + "/actuator/prometheus"))
                .timeout(Duration.ofSeconds(10));
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("scraping " + baseUrl + " answered " + response.statusCode() + ": "
                        + response.body());
            }
            return new Prometheus(response.body().lines().filter(line -> !line.startsWith("#")).toList());
        } catch (IOException e) {
            throw new IllegalStateException("scraping " + baseUrl + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static Prometheus scrape(String baseUrl) {
        return scrape(baseUrl, null);
    }

    /**
     * The sum of the series named {@code name} that carry every label given as {@code "label", "value"} pairs;
     * 0 when there is none.
     */
    public double value(String name, String... labels) {
        return series(name, labels).stream().mapToDouble(Prometheus::number).sum();
    }

    /** Whether a series named {@code name} with these labels exists. */
    public boolean has(String name, String... labels) {
        return !series(name, labels).isEmpty();
    }

    private List<String> series(String name, String... labels) {
        return lines.stream().filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .filter(line -> {
                    for (int i = 0; i + 1 < labels.length; i += 2) {
                        if (!line.contains(labels[i] + "=\"" + labels[i + 1] + "\"")) {
                            return false;
                        }
                    }
                    return true;
                }).toList();
    }

    private static double number(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    @Override
    public String toString() {
        return String.join("\n", lines);
    }
}
