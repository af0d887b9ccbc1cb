// Catch2 v2 entry point for the native and the wasm (node) test runs.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
