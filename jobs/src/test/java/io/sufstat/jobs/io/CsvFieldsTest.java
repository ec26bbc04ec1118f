package io.sufstat.jobs.io;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CsvFieldsTest {

    @Test
    void splitsQuotedAndPlainFields() {
        assertEquals(List.of("a", "b c", "d,e", "say \"hi\"", ""), CsvTable.fields("a,\"b c\",\"d,e\",\"say \"\"hi\"\"\",", (byte) ','));
        assertEquals(List.of("1", "2", "3"), CsvTable.fields("1\t2\t3\r", (byte) '\t'));
        assertEquals(List.of(""), CsvTable.fields("", (byte) ','));
        assertEquals(List.of(), CsvTable.fields("a,\"unterminated", (byte) ','));
    }
}
