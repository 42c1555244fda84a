package io.github.v4l2ffm;

/**
 * A {@code struct v4l2_fract}: a frame interval in seconds ({@code 1/30}) or its inverse, a rate.
 *
 * @param numerator the numerator
 * @param denominator the denominator
 */
public record Fraction(int numerator, int denominator) {
    /** The value as a double (NaN when the denominator is 0). */
    public double toDouble() {
        return denominator == 0 ? Double.NaN : (double) numerator / denominator;
    }

    /** The inverse: an interval for a rate and the other way round. */
    public Fraction inverse() {
        return new Fraction(denominator, numerator);
    }

    @Override
    public String toString() {
        return numerator + "/" + denominator;
    }
}
