package io.sufstat.common.special;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** ln Γ and ψ against scipy.special.gammaln and digamma (values printed by scipy 1.10.1). */
class GammaTest {

    @ParameterizedTest
    @CsvSource({
        "0.1, 2.252712651734206, -10.423754940411076",
        "0.5, 0.5723649429247, -1.9635100260214235",
        "1, 0.0, -0.5772156649015329",
        "1.5, -0.12078223763524526, 0.03648997397857652",
        "2.5, 0.2846828704729192, 0.7031566406452432",
        "3, 0.6931471805599453, 0.9227843350984671",
        "7.3, 7.147892523022249, 1.917820335637986",
        "10, 12.801827480081469, 2.251752589066721",
        "25, 54.78472939811232, 3.198742512851974",
        "100.5, 361.43554046777757, 4.605174352581845",
        "1234.5, 7550.550901077894, 7.1180162318279985",
    })
    void matchesScipy(double x, double logGamma, double digamma) {
        assertEquals(logGamma, Gamma.logGamma(x), 2e-15 * Math.max(1, Math.abs(logGamma)), "lgamma " + x);
        assertEquals(digamma, Gamma.digamma(x), 2e-15 * Math.max(1, Math.abs(digamma)), "digamma " + x);
    }
}
