namespace ceipal::state {}
