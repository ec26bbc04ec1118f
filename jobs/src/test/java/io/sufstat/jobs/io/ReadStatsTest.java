package io.sufstat.jobs.io;

import io.sufstat.common.stats.MergeableContract;
import org.junit.jupiter.api.Test;

/** Read statistics obey the {@link io.sufstat.common.stats.Mergeable} contract of every statistics type. */
class ReadStatsTest {

    @Test
    void readStatisticsMergeInAnyOrder() {
        BadRecordReason[] reasons = BadRecordReason.values();
        MergeableContract.check("ReadStats", new MergeableContract.Subject<ReadStats>() {
            public ReadStats empty() {
                return new ReadStats();
            }

            public ReadStats of(int from, int to) {
                ReadStats s = new ReadStats();
                for (int i = from; i < to; i++) {
                    s.read();
                    if (i % 7 == 3) {
                        s.skip(reasons[i % reasons.length], "row " + i);
                    } else {
                        s.used();
                    }
                }
                return s;
            }

            public double[] observe(ReadStats s) {
                double[] out = new double[3 + reasons.length];
                out[0] = s.rowsRead();
                out[1] = s.rowsUsed();
                out[2] = s.rowsSkipped();
                for (int r = 0; r < reasons.length; r++) {
                    out[3 + r] = s.skippedByReason().getOrDefault(reasons[r].key(), 0L);
                }
                return out;
            }
        }, 500);
    }
}
