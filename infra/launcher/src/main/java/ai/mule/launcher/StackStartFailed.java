package ai.mule.launcher;

/**
 * The stack could not start, for a reason its message tells the user in full (a port taken, a service that exited
 * during start-up): {@code ./mule up} and {@code ./mule bench} print the message, without a stack trace, and exit 1.
 */
final class StackStartFailed extends RuntimeException {

    StackStartFailed(String message) {
        super(message);
    }
}
