package ai.mule.runner.wasm.execution;

import static org.assertj.core.api.Assertions.assertThat;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.Parser;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FreshMemoryTest {

    private static final int PAGES = 3;
    private static final int OFFSET = 70_000; // in the second page
    private static final byte[] DATA = "the data segment".getBytes(StandardCharsets.UTF_8);

    @Test
    void anInstantiatedModuleHasItsDataSegmentsAndZeroesEverywhereElse() {
        Memory memory = instantiate().memory();

        assertThat(memory).isInstanceOf(FreshMemory.class);
        assertThat(memory.pages()).isEqualTo(PAGES);
        assertThat(memory.readBytes(OFFSET, DATA.length)).isEqualTo(DATA);
        assertThat(memory.readBytes(0, OFFSET)).containsOnly(0);
        int end = OFFSET + DATA.length;
        assertThat(memory.readBytes(end, PAGES * Memory.PAGE_SIZE - end)).containsOnly(0);
    }

    @Test
    void onlyTheZeroingAtInstantiationIsSkipped() {
        Memory memory = instantiate().memory();
        memory.write(0, new byte[] {1, 2, 3});
        memory.grow(1);
        memory.writeI32((PAGES + 1) * Memory.PAGE_SIZE - 4, -1);

        memory.zero();

        assertThat(memory.readBytes(0, (PAGES + 1) * Memory.PAGE_SIZE)).containsOnly(0);
    }

    private static Instance instantiate() {
        return Instance.builder(Parser.parse(WasmBytes.memoryWithData(PAGES, OFFSET, DATA)))
                .withMemoryFactory(FreshMemory::new)
                .build();
    }
}
