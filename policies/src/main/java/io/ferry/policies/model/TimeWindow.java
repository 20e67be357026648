package io.ferry.policies.model;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A weekly window such as {@code Mon-Fri 20:00-06:00}: on each listed day, from start until end. An end at or
 * before the start runs past midnight into the next day (the window belongs to the day it starts on);
 * {@code 00:00-24:00} is the whole day.
 */
public record TimeWindow(Set<DayOfWeek> days, int startMinute, int endMinute, String text) {

    private static final String[] NAMES = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    private static final int DAY_MINUTES = 24 * 60;

    public TimeWindow {
        days = Set.copyOf(days);
        if (days.isEmpty()) {
            throw new IllegalArgumentException("a window needs at least one day");
        }
        Require.inRange("window start", startMinute, 0, DAY_MINUTES - 1);
        Require.inRange("window end", endMinute, 0, DAY_MINUTES);
    }

    /** Whether the moment (local day of week and time) lies inside the window. */
    public boolean contains(DayOfWeek day, LocalTime time) {
        int minute = time.getHour() * 60 + time.getMinute();
        if (startMinute < endMinute) {
            return days.contains(day) && minute >= startMinute && minute < endMinute;
        }
        // Wraps past midnight: the evening part belongs to today, the early-morning part to yesterday's window.
        return (days.contains(day) && minute >= startMinute) || (days.contains(day.minus(1)) && minute < endMinute);
    }

    /**
     * Parses {@code DAYS HH:MM-HH:MM} where DAYS is a day ({@code Mon}), a range ({@code Mon-Fri}, may wrap:
     * {@code Fri-Mon}) or a comma list of those. Returns empty on any syntax error.
     */
    public static Optional<TimeWindow> parse(String text) {
        String[] parts = text.trim().split("\\s+");
        if (parts.length != 2) {
            return Optional.empty();
        }
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (String item : parts[0].split(",")) {
            String[] range = item.split("-");
            if (range.length < 1 || range.length > 2) {
                return Optional.empty();
            }
            int from = dayIndex(range[0]);
            int to = range.length == 2 ? dayIndex(range[1]) : from;
            if (from < 0 || to < 0) {
                return Optional.empty();
            }
            for (int d = from; ; d = (d + 1) % 7) {
                days.add(DayOfWeek.of(d + 1));
                if (d == to) {
                    break;
                }
            }
        }
        String[] times = parts[1].split("-");
        if (times.length != 2) {
            return Optional.empty();
        }
        int start = minuteOfDay(times[0]);
        int end = minuteOfDay(times[1]);
        if (start < 0 || end < 0 || start == DAY_MINUTES) {
            return Optional.empty();
        }
        return Optional.of(new TimeWindow(days, start, end, text.trim()));
    }

    private static int dayIndex(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equals(lower)) {
                return i;
            }
        }
        return -1;
    }

    private static int minuteOfDay(String hhmm) {
        if (!hhmm.matches("\\d{1,2}:\\d{2}")) {
            return -1;
        }
        String[] hm = hhmm.split(":");
        int hours = Integer.parseInt(hm[0]);
        int minutes = Integer.parseInt(hm[1]);
        if (minutes > 59 || hours > 24 || (hours == 24 && minutes != 0)) {
            return -1;
        }
        return hours * 60 + minutes;
    }
}
