package io.sufstat.jobs.io;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DecimalParserTest {

    private final DecimalParser p = new DecimalParser();

    private void same(String s) {
        double v = p.parse(s);
        assertTrue(p.ok, s);
        assertEquals(Double.doubleToLongBits(Double.parseDouble(s)), Double.doubleToLongBits(v), s);
    }

    @Test
    void correctlyRoundedAgainstTheJdk() {
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < 200_000; i++) {
            double x = switch (i % 4) {
                case 0 -> rng.nextGaussian();
                case 1 -> 1e9 + rng.nextGaussian();
                case 2 -> Math.scalb(rng.nextDouble(), rng.nextInt(-60, 60));
                default -> Math.round(rng.nextGaussian() * 1e4) / 1e4;
            };
            same(Double.toString(x));
            same(Double.toString(-x));
        }
        for (String s : new String[] {"0", "-0", "+1", "1.", ".5", "007.250", "1e5", "1E-5", "2.5e+10", "123456789012345678901234",
                "0.1234567890123456789", "1e-320", "1e308", "4.9e-324", "  3.5 ", "\t-2\t"}) {
            same(s.trim());
            double v = p.parse(s);
            assertTrue(p.ok, s);
            assertEquals(Double.parseDouble(s.trim()), v, 0.0, s);
        }
    }

    @Test
    void nonFiniteSpellingsParseAsNonFinite() {
        for (String s : new String[] {"NaN", "Infinity", "-Infinity", "inf", "-inf"}) {
            double v = p.parse(s);
            assertTrue(p.ok, s);
            assertFalse(Double.isFinite(v), s);
        }
    }

    @Test
    void rejectsWhatIsNotADecimalNumber() {
        for (String s : new String[] {"", " ", "abc", "1.5f", "2d", "0x10", "1e", "1e+", "--1", "1-", "1,5", "1.2.3", "NA", "null", "e5"}) {
            p.parse(s);
            assertFalse(p.ok, "'" + s + "'");
        }
    }
}
