namespace ceipal::fake {}
