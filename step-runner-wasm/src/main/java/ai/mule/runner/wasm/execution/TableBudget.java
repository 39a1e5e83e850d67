package ai.mule.runner.wasm.execution;

import ai.mule.wasm.StructureLimits;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.TableFactory;
import com.dylibso.chicory.runtime.TableInstance;
import com.dylibso.chicory.wasm.types.Table;
import com.dylibso.chicory.wasm.types.TableLimits;

/**
 * Creates one run's tables within {@link StructureLimits#MAX_TABLE_ELEMENTS} elements in all: the tables'
 * initial sizes and every {@code table.grow} draw on one budget, and a grow past it returns -1 to the module
 * as a grow past the table's maximum would. One per run, used by the run's thread only.
 * <p>
 * Each table gets its own copy of the module's table type: Chicory's {@code TableInstance.grow} raises the
 * minimum of the {@code TableLimits} it was created with, and the module's are shared by every run, so a grow
 * in one run would otherwise make the next run's table start larger.
 */
final class TableBudget implements TableFactory {

    private long left = StructureLimits.MAX_TABLE_ELEMENTS;

    @Override
    public TableInstance create(Table declared, int initValue) {
        long initial = declared.limits().min();
        if (initial > left) {
            throw new StructureLimitException("its tables need more than " + StructureLimits.MAX_TABLE_ELEMENTS
                    + " elements in all (the limit on table elements)");
        }
        left -= initial;
        Table own = new Table(declared.elementType(), new TableLimits(initial, declared.limits().max()),
                declared.initialize());
        return new Budgeted(own, initValue);
    }

    private final class Budgeted extends TableInstance {

        Budgeted(Table table, int initValue) {
            super(table, initValue);
        }

        @Override
        public int grow(int size, int value, Instance instance) {
            if (size < 0 || size > left) {
                return -1;
            }
            int previous = super.grow(size, value, instance);
            if (previous >= 0) {
                left -= size;
            }
            return previous;
        }
    }

    /** A module whose tables would not fit the budget: refused before it runs. */
    static final class StructureLimitException extends RuntimeException {

        StructureLimitException(String message) {
            super(message, null, false, false);
        }
    }
}
