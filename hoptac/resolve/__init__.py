"""Resolution: the same person or organization across articles and over time."""
