package ai.mule.runner.wasm.execution;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.ExecutionListener;
import com.dylibso.chicory.runtime.MStack;
import com.dylibso.chicory.wasm.types.Instruction;

/**
 * Makes every loop in Chicory's interpreter stoppable. Chicory 1.7.5's interpreter checks the thread's
 * interrupt flag on {@code br} and on calls, but not on {@code br_if} or {@code br_table}: a loop whose only
 * back edge is one of those ran on after its timeout or cancel, and kept its worker thread for good. Compiled
 * code checks them (Chicory's compiler emits a check on every backward jump), but a function too large for one
 * JVM method runs in the interpreter even in a compiled module.
 * <p>
 * The interpreter calls this listener before every instruction it executes; compiled code never calls it, so
 * compiled runs pay nothing. It checks the flag on every branch Chicory leaves unchecked, taken or not (a
 * volatile read: the interpreter's per-instruction cost is far higher). Chicory marks the listener hook
 * experimental: if a later version drops or changes it, this class stops compiling, and
 * {@code InterpretedLoopTest} shows whether the interpreter has learned to check by itself.
 */
final class InterpreterInterrupts implements ExecutionListener {

    static final InterpreterInterrupts LISTENER = new InterpreterInterrupts();

    private InterpreterInterrupts() {
    }

    @Override
    public void onExecution(Instruction instruction, MStack stack) {
        switch (instruction.opcode()) {
            case BR_IF:
            case BR_TABLE:
            case BR_ON_CAST:
            case BR_ON_CAST_FAIL:
            case THROW:
            case THROW_REF:
            case RETURN_CALL:
            case RETURN_CALL_INDIRECT:
            case RETURN_CALL_REF:
                if (Thread.currentThread().isInterrupted()) {
                    throw new ChicoryInterruptedException("Thread interrupted");
                }
                break;
            default:
                break;
        }
    }
}
