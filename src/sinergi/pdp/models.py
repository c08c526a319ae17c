"""Models of the pdp app."""
