package ai.mule.orchestrator.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompactionStyle;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Statistics;
import org.rocksdb.TickerType;

/** A job id that is not in a store is answered by a bloom filter, also once compaction moved every key to one level. */
class BloomFiltersOnEveryLevelTest {

    private static final int KEYS = 20_000;
    private static final int MISSES = 2_000;

    @Test
    void theOrchestratorsStoresAreOpenedWithFiltersOnEveryLevel(@TempDir Path stateDir) throws IOException {
        try (OrchestratorDriver ignored = new OrchestratorDriver(stateDir)) {
            // RocksDB writes the options a database was opened with into its directory
            List<Path> optionsFiles;
            try (Stream<Path> files = Files.walk(stateDir)) {
                optionsFiles = files.filter(f -> f.getFileName().toString().startsWith("OPTIONS-")).toList();
            }

            assertThat(optionsFiles).hasSizeGreaterThanOrEqualTo(2); // the jobs and their timers
            for (Path options : optionsFiles) {
                assertThat(Files.readString(options)).as(options.toString())
                        .contains("optimize_filters_for_hits=false")
                        .doesNotContain("optimize_filters_for_hits=true");
            }
        }
    }

    @Test
    void aMissingKeyStopsAtAFilterWhereStreamsDefaultsReadTheLargestLevel(@TempDir Path dir) throws RocksDBException {
        assertThat(filteredMisses(dir.resolve("streams-defaults"), false)).isZero();
        assertThat(filteredMisses(dir.resolve("every-level"), true)).isGreaterThan(MISSES * 9 / 10);
    }

    /**
     * Opens a database with the options Streams gives a store (what matters here: a bloom filter, with
     * {@code optimize_filters_for_hits} on, and universal compaction), after the orchestrator's setter if
     * {@code withSetter}; compacts its keys into the largest level; and counts the reads of missing keys that a
     * filter answered.
     */
    private static long filteredMisses(Path dir, boolean withSetter) throws RocksDBException {
        try (Statistics statistics = new Statistics();
             BloomFilter filter = new BloomFilter();
             Options options = new Options()) {
            BlockBasedTableConfig table = new BlockBasedTableConfig().setFilterPolicy(filter);
            options.setCreateIfMissing(true).setTableFormatConfig(table)
                    .setCompactionStyle(CompactionStyle.UNIVERSAL).setOptimizeFiltersForHits(true)
                    .setStatistics(statistics);
            if (withSetter) {
                new BloomFiltersOnEveryLevel().setConfig("jobs", options, Map.of());
            }
            try (RocksDB db = RocksDB.open(options, dir.toString());
                 FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
                byte[] state = new byte[200];
                for (int i = 0; i < KEYS; i++) {
                    db.put(jobId(), state);
                }
                db.flush(flush);
                db.compactRange();
                for (int i = 0; i < MISSES; i++) {
                    assertThat(db.get(jobId())).isNull();
                }
                return statistics.getTickerCount(TickerType.BLOOM_FILTER_USEFUL);
            }
        }
    }

    private static byte[] jobId() {
        return UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);
    }
}
