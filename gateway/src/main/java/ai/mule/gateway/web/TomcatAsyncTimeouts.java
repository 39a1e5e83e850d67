package ai.mule.gateway.web;

import org.apache.coyote.Processor;
import org.apache.coyote.http11.Http11NioProtocol;
import org.apache.tomcat.util.net.AbstractEndpoint;
import org.apache.tomcat.util.net.AbstractEndpoint.Handler.SocketState;
import org.apache.tomcat.util.net.SocketEvent;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * Runs the gateway's HTTP connector with {@link Protocol}: Tomcat's own, except that an async request can no longer be
 * lost to a timeout Tomcat meant for the request its processor served before.
 * <p>
 * Without it, about one synchronous chat completion in 14,000 to 50,000 from 8 clients was never answered (issue 14):
 * its job completed, the answer was written, and the client got nothing until Tomcat closed the connection 60 s later,
 * unlogged. Every such call in a run began at the same point of the second of Tomcat's async timeout thread, which
 * looks at each waiting async request once a second. When it comes to a processor whose request has just completed,
 * it finds no async context there and sends the processor's connection a timeout. Meanwhile the processor, recycled,
 * may serve the next request, on that connection or another. When that request has gone async (a sync call waiting
 * for its job) by the time the timeout is handled, Tomcat sees that the timeout was meant for an older request and
 * returns, having taken the processor off the connection without putting it back (Tomcat 10.1.55,
 * {@code AbstractProtocol.ConnectionHandler.process}; the same in Tomcat's main branch). Nothing reaches that
 * processor again: the answer written to it is never sent. {@code LateAnswersOnTomcatTest} makes that happen.
 */
@Component
public class TomcatAsyncTimeouts implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.setProtocol(Protocol.class.getName());
    }

    /** Tomcat's NIO HTTP/1.1 protocol, its connection handler behind {@link StaleTimeouts}. */
    public static class Protocol extends Http11NioProtocol {

        public Protocol() {
            getEndpoint().setHandler(new StaleTimeouts<>(getEndpoint().getHandler()));
        }
    }

    /**
     * Puts back the processor of an async request that Tomcat's handler took off its connection for a timeout it then
     * found was meant for an earlier request on that processor. Every other event, and every timeout Tomcat acts on,
     * goes through unchanged. The connection is locked while its events are handled, so nothing else moves its
     * processor in between.
     */
    private static final class StaleTimeouts<S> implements AbstractEndpoint.Handler<S> {

        private final AbstractEndpoint.Handler<S> tomcat;

        StaleTimeouts(AbstractEndpoint.Handler<S> tomcat) {
            this.tomcat = tomcat;
        }

        @Override
        public SocketState process(SocketWrapperBase<S> socket, SocketEvent event) {
            if (event != SocketEvent.TIMEOUT) {
                return tomcat.process(socket, event);
            }
            Object before = socket.getCurrentProcessor();
            SocketState state = tomcat.process(socket, event);
            if (before instanceof Processor processor && socket.getCurrentProcessor() == null
                    && processor.isAsync() && !processor.checkAsyncTimeoutGeneration()) {
                socket.setCurrentProcessor(processor);
            }
            return state;
        }

        @Override
        public Object getGlobal() {
            return tomcat.getGlobal();
        }

        @Override
        public void release(SocketWrapperBase<S> socket) {
            tomcat.release(socket);
        }

        @Override
        public void pause() {
            tomcat.pause();
        }

        @Override
        public void recycle() {
            tomcat.recycle();
        }
    }
}
