namespace ceipal::engine {}
