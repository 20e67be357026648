package io.ferry.policies.units;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes and rates with binary units, as written in policy files: {@code 512MiB}, {@code 1GiB/s}. Units: B, KiB,
 * MiB, GiB, TiB; decimals allowed ({@code 1.5GiB/s}).
 */
public final class ByteSizes {
    public static final String RATE_SYNTAX = "a number with B/s, KiB/s, MiB/s, GiB/s or TiB/s (e.g. 1GiB/s)";
    private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(B|KiB|MiB|GiB|TiB)/s");

    private ByteSizes() {
    }

    /** Bytes per second, or empty if the text is not in {@link #RATE_SYNTAX}. */
    public static Optional<Long> parseRate(String text) {
        Matcher m = RATE.matcher(text.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        double bytes = Double.parseDouble(m.group(1)) * multiplier(m.group(2));
        return bytes >= Long.MAX_VALUE ? Optional.empty() : Optional.of((long) bytes);
    }

    /** The largest unit that gives a whole number, e.g. {@code 1GiB/s}. */
    public static String formatRate(long bytesPerSecond) {
        String[] units = {"TiB", "GiB", "MiB", "KiB"};
        for (int i = 0; i < units.length; i++) {
            long m = multiplier(units[i]);
            if (bytesPerSecond >= m && bytesPerSecond % m == 0) {
                return bytesPerSecond / m + units[i] + "/s";
            }
        }
        return bytesPerSecond + "B/s";
    }

    private static long multiplier(String unit) {
        return switch (unit) {
            case "KiB" -> 1L << 10;
            case "MiB" -> 1L << 20;
            case "GiB" -> 1L << 30;
            case "TiB" -> 1L << 40;
            default -> 1L;
        };
    }
}
