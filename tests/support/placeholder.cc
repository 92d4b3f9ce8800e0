namespace ceipal::test {}
