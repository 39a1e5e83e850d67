package ai.mule.gateway.ingress;

/** An ingress record that can never become a job; its message is the reason put in the dead-letter header. */
final class IngressRejected extends RuntimeException {

    IngressRejected(String reason) {
        super(reason, null, false, false);
    }
}
