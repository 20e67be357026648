package io.ferry.policies.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimeWindowTest {
    private static TimeWindow window(String text) {
        return TimeWindow.parse(text).orElseThrow();
    }

    @Test
    void overnightWindowBelongsToTheDayItStarts() {
        TimeWindow nights = window("Mon-Fri 20:00-06:00");

        assertThat(nights.contains(DayOfWeek.FRIDAY, LocalTime.of(23, 0))).isTrue();
        assertThat(nights.contains(DayOfWeek.SATURDAY, LocalTime.of(3, 0))).isTrue();
        assertThat(nights.contains(DayOfWeek.MONDAY, LocalTime.of(3, 0))).isFalse();
        assertThat(nights.contains(DayOfWeek.TUESDAY, LocalTime.of(12, 0))).isFalse();
    }

    @Test
    void wholeDaysListsAndWrappingRanges() {
        assertThat(window("Sat-Sun 00:00-24:00").contains(DayOfWeek.SUNDAY, LocalTime.of(23, 59))).isTrue();
        assertThat(window("Sat,Sun 00:00-24:00").days()).containsExactlyInAnyOrder(DayOfWeek.SATURDAY,
                DayOfWeek.SUNDAY);
        assertThat(window("Fri-Mon 01:00-02:00").days()).containsExactlyInAnyOrder(DayOfWeek.FRIDAY,
                DayOfWeek.SATURDAY, DayOfWeek.SUNDAY, DayOfWeek.MONDAY);
    }

    @Test
    void refusesMalformedWindows() {
        for (String bad : List.of("Mon-Fry 20:00-06:00", "Mon 20:00", "Mon 25:00-26:00", "Mon 24:00-01:00",
                "20:00-06:00", "Mon 8-9", "Mon 10:60-11:00")) {
            assertThat(TimeWindow.parse(bad)).as(bad).isEmpty();
        }
    }

    @Test
    void windowsAreReadInTheirTimezone() {
        Windows paris = new Windows(ZoneId.of("Europe/Paris"), List.of(window("Mon-Fri 09:00-17:00")));

        assertThat(paris.allowsNonUrgentAt(Instant.parse("2026-11-26T08:30:00Z"))).isTrue(); // 09:30 in Paris
        assertThat(paris.allowsNonUrgentAt(Instant.parse("2026-11-26T16:30:00Z"))).isFalse(); // 17:30 in Paris
        assertThat(Windows.ANY_TIME.allowsNonUrgentAt(Instant.parse("2026-11-26T16:30:00Z"))).isTrue();
    }
}
