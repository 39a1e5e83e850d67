package ai.mule.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import ai.mule.localkafka.FreePorts;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser (the system's Chromium, headless, driven through its chromedriver) against the
 * launcher's real stack, as StackIT starts it: a user uploads modules, builds a two-step workflow by drag and drop,
 * runs it and watches its job complete live over the job's event stream, cancels a long job, and meets the API's
 * own messages for what it refuses. Every page is saved as a screenshot under {@code target/screenshots/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String RUN = Long.toString(System.currentTimeMillis() % 100_000, 36);

    private static final Path SCREENSHOTS = Path.of(System.getProperty("mule.screenshots", "target/screenshots"));

    private static Path profile;
    private static Path home;
    private static ChromeDriverService service;
    private static WebDriver driver;
    private static LocalStack stack;
    private static String gateway;
    private static MuleClient client;
    private static Path repo;

    // what the tests build, in order
    private static final String GREET = "greet-" + RUN;
    private static final String UPPER = "upper-" + RUN;
    private static final String SLEEP = "sleep-" + RUN;
    private static final String WORKFLOW = "nap-then-shout-" + RUN;
    private static String workflowId;
    private static String completedJobId;
    private static String cancelledJobId;

    @BeforeAll
    static void startBrowserAndStack() throws Exception {
        repo = Path.of(System.getProperty("mule.repo", "../..")).toAbsolutePath().normalize();
        Files.createDirectories(SCREENSHOTS);
        driver = startChromium(); // first: a missing browser fails in a second, not after the stack's start
        // -Dmule.dashboard.gateway=http://127.0.0.1:8080 runs the pages against a stack already up (./mule up)
        String running = System.getProperty("mule.dashboard.gateway", "");
        if (!running.isBlank()) {
            gateway = running;
            client = new MuleClient(gateway);
            return;
        }
        home = Files.createTempDirectory("mule-dashboard");
        StackConfig config = new StackConfig(serviceJars(home.resolve("repo")), home, FreePorts.next(),
                FreePorts.next(), FreePorts.next(), FreePorts.next(), 3);
        stack = LocalStack.start(config, line -> System.out.println("stack: " + line));
        gateway = config.gatewayUrl();
        client = new MuleClient(gateway);
    }

    @AfterAll
    static void stopAll() throws IOException {
        if (driver != null) {
            driver.quit();
        }
        if (service != null) {
            service.stop();
        }
        if (stack != null) {
            stack.close();
        }
        deleteRecursively(profile);
        // the stack's data and its copy of the service jars (a few hundred MB)
        deleteRecursively(home);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }

    /** A script error anywhere fails the test that caused it, even when the page still looked right. */
    @AfterEach
    void noScriptErrors() {
        List<String> errors = new ArrayList<>();
        for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
            // refused requests are logged by the browser as failed loads; the tests provoke some on purpose
            if (entry.getLevel().intValue() >= Level.SEVERE.intValue() && !entry.getMessage().contains("Failed to load resource")) {
                errors.add(entry.getMessage());
            }
        }
        assertThat(errors).as("browser console errors").isEmpty();
    }

    @Test
    @Order(1)
    void modulesAreUploadedCheckedAndTestRun() throws IOException {
        if (freshStack()) {
            open("#/run");
            waitText(By.cssSelector("main .empty"), "Nothing to run yet");
            screenshot("run-empty");
        }
        open("#/modules");
        if (freshStack()) {
            waitText(By.cssSelector("main .empty"), "No WASM modules yet");
        }
        // a config that is not JSON is caught here, before anything is sent
        type(By.cssSelector("#module-form [name=name]"), "broken-" + RUN);
        type(By.cssSelector("#module-form [name=config]"), "{\"greeting\": ");
        attach(repo.resolve("infra/wasm-examples/greet.wasm"));
        click(By.cssSelector("#module-form button[type=submit]"));
        waitText(By.id("module-config-message"), "not valid JSON");
        // a file that is not WebAssembly passes the page but not the API: its problem detail is shown
        Path notWasm = Files.writeString(Files.createTempFile("not", ".wasm"), "hello, I am text", StandardCharsets.UTF_8);
        type(By.cssSelector("#module-form [name=config]"), "{\"greeting\": \"Hi\"}");
        waitText(By.id("module-config-message"), "");
        attach(notWasm);
        click(By.cssSelector("#module-form button[type=submit]"));
        waitText(By.cssSelector("#module-error .problem-detail"), "WebAssembly");
        assertThat(client.findIdByName("/api/v1/wasm-modules", "broken-" + RUN)).isEmpty();

        upload(GREET, "infra/wasm-examples/greet.wasm");
        upload(UPPER, "infra/wasm-examples/upper.wasm");
        upload(SLEEP, "infra/wasm-examples/sleep.wasm");

        new Select(find(By.id("test-module"))).selectByVisibleText(GREET);
        type(By.id("test-input"), "World");
        click(By.cssSelector("#test-form button[type=submit]"));
        waitText(By.id("test-output"), "Hello, World!");
        assertThat(find(By.cssSelector("#test-result .badge")).getText()).isEqualTo("success");
        screenshot("modules");
    }

    @Test
    @Order(2)
    void aTwoStepWorkflowIsBuiltAndReorderedByDragAndDrop() {
        open("#/workflows");
        type(By.cssSelector("form[aria-label='New workflow'] [name=name]"), WORKFLOW);
        type(By.cssSelector("form[aria-label='New workflow'] [name=description]"), "spin a while, then shout");
        click(By.cssSelector("form[aria-label='New workflow'] button[type=submit]"));
        wait(WAIT).until(d -> d.getCurrentUrl().matches(".*#/workflows/[0-9a-f-]{36}$"));
        workflowId = driver.getCurrentUrl().replaceAll(".*#/workflows/", "");
        waitText(By.cssSelector("#steps .empty"), "No steps yet");

        addStep(UPPER);
        waitCount(By.cssSelector("#steps li[data-step-id]"), 1);
        // a policy the API refuses: its own message is shown, and no step is added
        new Select(find(By.cssSelector("#step-form [name=target]"))).selectByVisibleText(SLEEP);
        click(By.cssSelector("#step-form details > summary"));
        type(By.cssSelector("#step-form [name=max_attempts]"), "0");
        click(By.cssSelector("#step-form button[type=submit]"));
        waitText(By.cssSelector("#step-error .problem-detail"), "max_attempts must be 1 to 100");
        assertThat(steps()).hasSize(1);
        type(By.cssSelector("#step-form [name=max_attempts]"), "1");
        click(By.cssSelector("#step-form button[type=submit]"));
        waitCount(By.cssSelector("#steps li[data-step-id]"), 2);
        assertThat(targets()).containsExactly(UPPER, SLEEP);

        // drag the second step above the first: the page posts the new order to /steps/reorder
        List<WebElement> items = driver.findElements(By.cssSelector("#steps li[data-step-id]"));
        dragAbove(items.get(1), items.get(0));
        wait(WAIT).until(d -> targets().equals(List.of(SLEEP, UPPER)));
        JsonNode stored = steps();
        assertThat(stored.get(0).path("wasm_module_id").asText()).isEqualTo(moduleId(SLEEP));
        assertThat(stored.get(0).path("max_attempts").asInt()).isEqualTo(1);
        assertThat(stored.get(1).path("wasm_module_id").asText()).isEqualTo(moduleId(UPPER));
        // the workflow drawn as a graph: two steps in a line, in their new order
        wait(WAIT).until(d -> graphNodeText(d, "workflow-graph", "step_1").contains(SLEEP));
        assertThat(graphNodeText(driver, "workflow-graph", "step_2")).contains(UPPER);
        assertThat(driver.findElements(By.cssSelector("#workflow-graph path.graph-edge"))).hasSize(1);
        screenshot("workflow");

        open("#/workflows");
        waitText(By.cssSelector("tr[data-workflow='" + WORKFLOW + "']"), WORKFLOW);
        screenshot("workflows");
    }

    @Test
    @Order(3)
    void theWorkflowRunsAndItsJobTurnsCompletedLive() {
        open("#/run");
        new Select(find(By.name("target"))).selectByVisibleText(WORKFLOW);
        type(By.name("input"), "3");
        click(By.cssSelector("input[name=mode][value=async]"));
        click(By.cssSelector("form[aria-label=Run] button[type=submit]"));
        WebElement link = wait(WAIT).until(ExpectedConditions.elementToBeClickable(By.id("run-job-link")));
        completedJobId = link.getAttribute("href").replaceAll(".*#/jobs/", "");
        link.click();

        waitText(By.cssSelector("h1 code"), completedJobId);
        markPage();
        // the sleep step spins for 3 s: the page opens on a job that is still under way ...
        assertThat(status()).isIn("queued", "running");
        waitText(By.id("job-live"), "● live");
        // ... and turns completed from the job's event stream, without a reload
        wait(Duration.ofSeconds(60)).until(d -> "completed".equals(status()));
        assertPageNotReloaded();
        waitText(By.id("job-output"), "SLEPT 3 S");
        // the job drawn as its workflow's graph, coloured by step status from the same events
        wait(WAIT).until(d -> d.findElements(By.cssSelector("#job-graph g.node[data-status=completed]")).size() == 2);
        // open both steps (the page may redraw them as the stored timings arrive: read them afresh each time)
        List<List<String>> steps = wait(WAIT).until(d -> {
            List<WebElement> shown = d.findElements(By.cssSelector("details.step"));
            if (shown.size() != 2) {
                return null;
            }
            List<List<String>> texts = new ArrayList<>();
            for (WebElement step : shown) {
                if (step.getAttribute("open") == null) {
                    step.findElement(By.tagName("summary")).click();
                    return null;
                }
                texts.add(List.of(step.findElement(By.tagName("summary")).getText(),
                        step.findElement(By.cssSelector(".step-input")).getText(),
                        step.findElement(By.cssSelector(".step-output")).getText()));
            }
            return texts;
        });
        assertThat(steps.get(0).get(0)).contains("Step 1").contains("completed").contains("attempt 1");
        assertThat(steps.get(0).get(1)).contains("\"prompt\": \"3\"");
        assertThat(steps.get(0).get(2)).isEqualTo("slept 3 s");
        assertThat(steps.get(1).get(0)).contains("Step 2").contains("completed");
        assertThat(steps.get(1).get(1)).contains("slept 3 s");
        assertThat(steps.get(1).get(2)).isEqualTo("SLEPT 3 S");
        screenshot("job-completed");

        // waiting for the result on the Run page itself
        open("#/run");
        click(By.cssSelector("input[name=kind][value=module]"));
        new Select(find(By.name("target"))).selectByVisibleText(GREET);
        type(By.name("input"), "Mule");
        click(By.cssSelector("form[aria-label=Run] button[type=submit]"));
        waitText(By.id("run-output"), "Hello, Mule!");
        screenshot("run");
    }

    @Test
    @Order(4)
    void aLongJobIsCancelledFromItsPage() {
        open("#/run");
        click(By.cssSelector("input[name=kind][value=module]"));
        new Select(find(By.name("target"))).selectByVisibleText(SLEEP);
        type(By.name("input"), "{\"seconds\": 20}");
        click(By.cssSelector("input[name=mode][value=async]"));
        click(By.cssSelector("form[aria-label=Run] button[type=submit]"));
        WebElement link = wait(WAIT).until(ExpectedConditions.elementToBeClickable(By.id("run-job-link")));
        cancelledJobId = link.getAttribute("href").replaceAll(".*#/jobs/", "");
        link.click();
        waitText(By.cssSelector("h1 code"), cancelledJobId);
        markPage();
        wait(WAIT).until(d -> "running".equals(status()));
        waitText(By.cssSelector("details.step > summary"), "running");

        click(By.id("job-cancel"));
        click(By.cssSelector("dialog [data-confirm]"));

        wait(Duration.ofSeconds(20)).until(d -> "cancelled".equals(status()));
        assertPageNotReloaded();
        assertThat(driver.findElement(By.id("job-cancel")).isDisplayed()).isFalse();
        assertThat(client.get("/api/v1/jobs/" + cancelledJobId).data().path("status").asText()).isEqualTo("cancelled");
        screenshot("job-cancelled");
    }

    @Test
    @Order(5)
    void theJobsListFiltersByStatusWorkflowAndSearch() {
        open("#/jobs");
        waitText(By.cssSelector("tr[data-job-id='" + cancelledJobId + "']"), "cancelled");
        markPage();

        // a job started elsewhere (the API) while the list is open joins it, and turns completed, without a reload
        waitText(By.id("jobs-live"), "● live");
        String apiJobId = client.submitJob(moduleId(SLEEP), "2");
        By apiJob = By.cssSelector("tr[data-job-id='" + apiJobId + "'] .badge");
        wait(WAIT).until(d -> !d.findElements(apiJob).isEmpty());
        assertThat(rows().get(0)).isEqualTo(apiJobId);
        wait(WAIT).until(d -> "completed".equals(d.findElement(apiJob).getAttribute("data-status")));
        assertPageNotReloaded();
        screenshot("jobs");

        new Select(find(By.id("filter-status"))).selectByValue("cancelled");
        wait(WAIT).until(d -> rows().contains(cancelledJobId) && !rows().contains(completedJobId));
        assertThat(driver.getCurrentUrl()).contains("status=cancelled");

        new Select(find(By.id("filter-status"))).selectByValue("");
        new Select(find(By.id("filter-workflow"))).selectByValue(WORKFLOW);
        wait(WAIT).until(d -> rows().equals(List.of(completedJobId)));

        new Select(find(By.id("filter-workflow"))).selectByValue("");
        type(By.id("filter-search"), cancelledJobId.substring(0, 8));
        click(By.cssSelector("form[role=search] button[type=submit]"));
        wait(WAIT).until(d -> rows().equals(List.of(cancelledJobId)));

        type(By.id("filter-search"), "no-such-job-" + RUN);
        click(By.cssSelector("form[role=search] button[type=submit]"));
        waitText(By.cssSelector("#jobs-list .empty"), "No job matches these filters");
    }

    @Test
    @Order(6)
    void providerKeysAreWriteOnlyAndAgentsUseTheProvider() {
        open("#/providers");
        if (freshStack()) {
            waitText(By.cssSelector("main .empty"), "No providers yet");
        }
        String provider = "local-" + RUN;
        type(By.cssSelector("#provider-form [name=name]"), provider);
        type(By.cssSelector("#provider-form [name=api_base_url]"), "http://127.0.0.1:9/v1");
        type(By.cssSelector("#provider-form [name=api_key]"), "sk-dashboard-secret");
        click(By.cssSelector("#provider-form button[type=submit]"));
        waitText(By.cssSelector("tr[data-provider='" + provider + "'] .api-key"), "********");
        assertThat(driver.getPageSource()).doesNotContain("sk-dashboard-secret");
        click(By.xpath("//tr[@data-provider='" + provider + "']//button[text()='Edit']"));
        assertThat(find(By.cssSelector("#provider-form [name=api_key]")).getAttribute("value")).isEmpty();
        assertThat(find(By.cssSelector("#provider-form [name=api_key]")).getAttribute("placeholder")).contains("stored");
        screenshot("providers");

        open("#/agents");
        String agent = "poet-" + RUN;
        type(By.cssSelector("#agent-form [name=name]"), agent);
        new Select(find(By.cssSelector("#agent-form [name=provider_id]"))).selectByVisibleText(provider);
        type(By.cssSelector("#agent-form [name=model_id]"), "gpt-test");
        type(By.cssSelector("#agent-form [name=system_prompt]"), "You write haiku.");
        click(By.cssSelector("#agent-form button[type=submit]"));
        waitText(By.cssSelector("tr[data-agent='" + agent + "']"), "gpt-test");
        screenshot("agents");
    }

    @Test
    @Order(7)
    void anInvalidSettingShowsTheApisMessage() {
        open("#/settings");
        By value = By.cssSelector("tr[data-setting='timeout_workflow_seconds'] input");
        type(value, "soon");
        click(By.cssSelector("tr[data-setting='timeout_workflow_seconds'] button"));
        waitText(By.cssSelector("tr[data-setting='timeout_workflow_seconds'] .problem-detail"),
                "timeout_workflow_seconds must be a whole number greater than 0");
        assertThat(client.get("/api/v1/settings/timeout_workflow_seconds").data().path("value").asText()).isEqualTo("300");
        screenshot("settings");
    }

    @Test
    @Order(8)
    void aModuleSourceShowsCompilerErrorsByLineAndCompilesAndToolsAreKept() {
        open("#/modules/source");
        waitText(By.id("source-gutter"), "1");
        wait(WAIT).until(d -> find(By.id("source-code")).getAttribute("value").contains("(module"));
        type(By.cssSelector("#source-form [name=name]"), "source-" + RUN);
        type(By.id("source-code"), "(module\n  (func (export \"_start\")\n    (bogus)))\n");
        click(By.id("compile"));
        waitText(By.id("compile-error-list"), "line 3");
        assertThat(find(By.cssSelector("#source-gutter .error-line")).getText()).isEqualTo("3");
        screenshot("module-source-errors");
        click(By.id("load-example"));
        wait(WAIT).until(d -> find(By.cssSelector("#source-gutter")).findElements(By.cssSelector(".error-line")).isEmpty());
        click(By.id("compile"));
        waitText(By.id("compile-ok"), "is stored");
        assertThat(client.findIdByName("/api/v1/wasm-modules", "source-" + RUN)).isPresent();

        open("#/tools");
        type(By.cssSelector("#tool-form [name=name]"), "fetch-" + RUN);
        new Select(find(By.id("tool-type"))).selectByValue("http");
        type(By.cssSelector("#tool-form [name=config]"), "{\"allowed_hosts\": [\"api.example.com\"]}");
        click(By.cssSelector("#tool-form button[type=submit]"));
        waitText(By.cssSelector("tr[data-tool='fetch-" + RUN + "']"), "http");
        screenshot("tools");
    }

    @Test
    @Order(9)
    void aScheduleIsCreatedPausedAndDeletedWithTheApisMessagesForWhatItRefuses() {
        String name = "nightly-" + RUN;
        open("#/schedules?workflow_id=" + workflowId);
        new Select(find(By.id("schedule-workflow"))).selectByVisibleText(WORKFLOW);
        type(By.id("schedule-name"), name);
        type(By.id("schedule-zone"), "UTC");
        // every second: refused, with the API's reason
        type(By.id("schedule-cron"), "* * * * * *");
        click(By.id("schedule-save"));
        waitText(By.cssSelector("#schedule-error .problem-detail"), "five fields");

        type(By.id("schedule-cron"), "0 3 * * *");
        type(By.id("schedule-input"), "{\"prompt\": \"2\"}");
        click(By.id("schedule-save"));
        By row = By.cssSelector("tr[data-schedule='" + name + "']");
        waitText(row, "0 3 * * *");
        JsonNode stored = client.get("/api/v1/schedules?workflow_id=" + workflowId).data().get(0);
        assertThat(stored.path("name").asText()).isEqualTo(name);
        assertThat(stored.path("input_data").path("prompt").asText()).isEqualTo("2");
        assertThat(stored.path("next_fire_at").asText()).contains("T03:00:00");
        assertThat(find(row).findElement(By.cssSelector(".last-run")).getText()).isEqualTo("never");
        screenshot("schedules");

        find(row).findElement(By.cssSelector("button.toggle")).click();
        waitText(By.cssSelector("tr[data-schedule='" + name + "'] .next-fire"), "paused");
        assertThat(client.get("/api/v1/schedules/" + stored.path("id").asText()).data().path("enabled").asBoolean())
                .isFalse();

        find(row).findElement(By.cssSelector("button.danger")).click();
        click(By.cssSelector("dialog [data-confirm]"));
        wait(WAIT).until(d -> d.findElements(row).isEmpty());
        assertThat(client.get("/api/v1/schedules/" + stored.path("id").asText()).status()).isEqualTo(404);
    }

    // --- the browser

    /** The text of one node of a graph (SVG text read as textContent), or "" while it is not drawn. */
    private static String graphNodeText(WebDriver d, String graph, String step) {
        List<WebElement> node = d.findElements(By.cssSelector("#" + graph + " g.node[data-step='" + step + "']"));
        return node.isEmpty() ? "" : String.valueOf(node.get(0).getAttribute("textContent"));
    }

    private static WebDriver startChromium() throws IOException {
        File chromedriver = new File(System.getProperty("mule.chromedriver", "/usr/bin/chromedriver"));
        File chromium = new File(System.getProperty("mule.chromium", "/usr/bin/chromium"));
        assertThat(chromedriver).as("chromedriver (Debian: apt-get install chromium-driver)").canRead();
        assertThat(chromium).as("Chromium (Debian: apt-get install chromium)").canRead();
        profile = Files.createTempDirectory("mule-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile, "--window-size=1280,1000");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private static boolean freshStack() {
        return stack != null;
    }

    /** Shows a page afresh: going to the address already shown would change nothing, so that one is reloaded. */
    private static void open(String hash) {
        String url = gateway + "/" + hash;
        if (url.equals(driver.getCurrentUrl())) {
            driver.navigate().refresh();
        } else {
            driver.get(url);
        }
        wait(WAIT).until(d -> !d.findElements(By.cssSelector("main h1")).isEmpty());
    }

    /** Waits, looking again when the page redrew what was looked at (pages redraw as events arrive). */
    private static WebDriverWait wait(Duration timeout) {
        WebDriverWait wait = new WebDriverWait(driver, timeout);
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    private static WebElement find(By by) {
        return wait(WAIT).until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    private static void click(By by) {
        wait(WAIT).until(ExpectedConditions.elementToBeClickable(by)).click();
    }

    private static void type(By by, String text) {
        WebElement input = find(by);
        input.clear();
        input.sendKeys(text);
    }

    /** Waits until the element's text contains {@code text} (an empty text: until it is empty). */
    private static void waitText(By by, String text) {
        wait(WAIT).until(d -> {
            List<WebElement> found = d.findElements(by);
            if (found.isEmpty()) {
                return false;
            }
            String shown = found.get(0).getText();
            return text.isEmpty() ? shown.isEmpty() : shown.contains(text);
        });
    }

    private static void waitCount(By by, int count) {
        wait(WAIT).until(d -> d.findElements(by).size() == count);
    }

    private static void attach(Path file) {
        driver.findElement(By.cssSelector("#module-form [name=module_data]")).sendKeys(file.toAbsolutePath().toString());
    }

    private static void upload(String name, String wasm) {
        type(By.cssSelector("#module-form [name=name]"), name);
        type(By.cssSelector("#module-form [name=config]"), "");
        attach(repo.resolve(wasm));
        click(By.cssSelector("#module-form button[type=submit]"));
        waitText(By.cssSelector("tr[data-module='" + name + "']"), name);
    }

    private static void addStep(String module) {
        new Select(find(By.cssSelector("#step-form [name=step_type]"))).selectByValue("wasm_module");
        new Select(find(By.cssSelector("#step-form [name=target]"))).selectByVisibleText(module);
        click(By.cssSelector("#step-form button[type=submit]"));
    }

    private static List<String> targets() {
        return driver.findElements(By.cssSelector("#steps li[data-step-id]")).stream()
                .map(li -> li.getAttribute("data-target")).toList();
    }

    /**
     * HTML5 drag and drop as the browser delivers it (dragstart, dragover, drop, dragend sharing one DataTransfer):
     * WebDriver's pointer actions do not start native HTML5 drags in Chromium.
     */
    private static void dragAbove(WebElement source, WebElement target) {
        ((JavascriptExecutor) driver).executeScript("""
                const [source, target] = arguments;
                const data = new DataTransfer();
                const fire = (el, type, y) => el.dispatchEvent(new DragEvent(type,
                    {bubbles: true, cancelable: true, dataTransfer: data, clientX: 20, clientY: y}));
                const y = target.getBoundingClientRect().top + 3;
                fire(source, 'dragstart', source.getBoundingClientRect().top + 3);
                fire(target, 'dragover', y);
                fire(target, 'drop', y);
                fire(source, 'dragend', y);
                """, source, target);
    }

    private static String status() {
        List<WebElement> badge = driver.findElements(By.cssSelector("#job-status .badge"));
        return badge.isEmpty() ? "" : badge.get(0).getAttribute("data-status");
    }

    private static List<String> rows() {
        return driver.findElements(By.cssSelector("#jobs-list tr[data-job-id]")).stream()
                .map(tr -> tr.getAttribute("data-job-id")).toList();
    }

    /** Marks the loaded document; a reload would lose the mark. */
    private static void markPage() {
        ((JavascriptExecutor) driver).executeScript("window.__muleTestMark = 'still here';");
    }

    private static void assertPageNotReloaded() {
        assertThat(((JavascriptExecutor) driver).executeScript("return window.__muleTestMark;")).isEqualTo("still here");
    }

    private static void screenshot(String name) {
        try {
            Path file = SCREENSHOTS.resolve(name + ".png");
            Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new IllegalStateException("cannot save the screenshot " + name, e);
        }
    }

    // --- the API, to check what the pages did

    private static JsonNode steps() {
        return client.get("/api/v1/workflows/" + workflowId + "/steps").data();
    }

    private static String moduleId(String name) {
        return client.findIdByName("/api/v1/wasm-modules", name).orElseThrow();
    }

    /**
     * Copies the service jars StackIT would run from the repository: other builds may replace those files while
     * this test's services run from them.
     */
    private static Path serviceJars(Path copy) throws IOException {
        for (Map.Entry<String, String> jar : Map.of(
                "gateway", "mule-gateway.jar", "orchestrator", "mule-orchestrator.jar",
                "step-runner-wasm", "mule-step-runner-wasm.jar", "step-runner-agent", "mule-step-runner-agent.jar")
                .entrySet()) {
            Path target = copy.resolve(jar.getKey()).resolve("target");
            Files.createDirectories(target);
            Files.copy(repo.resolve(jar.getKey()).resolve("target").resolve(jar.getValue()),
                    target.resolve(jar.getValue()), StandardCopyOption.REPLACE_EXISTING);
        }
        return copy;
    }
}
