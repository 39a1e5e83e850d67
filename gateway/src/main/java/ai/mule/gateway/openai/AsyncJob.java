package ai.mule.gateway.openai;

/** Mule v2's answer to an {@code async/workflow/<name>} chat completion: the job id, at once. */
record AsyncJob(String id, String object, String status, String message) {

    static AsyncJob queued(String jobId) {
        return new AsyncJob(jobId, "async.job", "queued", "The workflow has been started");
    }
}
