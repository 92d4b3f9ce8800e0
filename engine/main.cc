#include "engine/cli.h"

int main(int argc, char** argv) { return ceipal::engine::RunCli(argc, argv); }
