# Registers every Catch2 (v2) test case of a test program as its own ctest test; run after each
# build of the program (CMakeLists.txt, aer_add_catch_tests). Catch2's own CatchAddTests.cmake
# splits the list of names on ';' as well as on new lines, so a name holding a semicolon became
# two tests that matched nothing and passed; here a name is kept whole, and every test runs with
# `--warn NoTests`, so an entry that matches no test case fails.
#   cmake -D TEST_EXECUTOR=... -D TEST_EXECUTABLE=... -D TEST_SPEC=... -D TEST_EXTRA_ARGS=...
#         -D TEST_WORKING_DIR=... -D CTEST_FILE=... -P catch_tests.cmake
execute_process(COMMAND ${TEST_EXECUTOR} "${TEST_EXECUTABLE}" ${TEST_SPEC} --list-test-names-only
                OUTPUT_VARIABLE output RESULT_VARIABLE result WORKING_DIRECTORY "${TEST_WORKING_DIR}")
if(NOT result MATCHES "^[0-9]+$") # Catch2 v2 exits with the number of test cases listed (mod 256)
    message(FATAL_ERROR "listing the test cases of ${TEST_EXECUTABLE} failed (${result}):\n${output}")
endif()

# One bracket argument per word: the generated file keeps names, paths and flags as they are.
function(bracketed out)
    set(text "")
    foreach(word IN LISTS ARGN)
        string(APPEND text " [==[${word}]==]")
    endforeach()
    set(${out} "${text}" PARENT_SCOPE)
endfunction()
bracketed(executor ${TEST_EXECUTOR} "${TEST_EXECUTABLE}")
bracketed(extra ${TEST_EXTRA_ARGS} --warn NoTests)

string(REPLACE ";" "<semicolon>" output "${output}") # before the lines become a CMake list
string(REPLACE "\n" ";" lines "${output}")
set(script "")
set(count 0)
foreach(line IN LISTS lines)
    if(line STREQUAL "")
        continue()
    endif()
    string(REPLACE "<semicolon>" ";" name "${line}")
    # On Catch2's command line a name's backslashes, commas and brackets need a backslash.
    set(spec "${name}")
    string(REPLACE "\\" "\\\\" spec "${spec}")
    string(REPLACE "," "\\," spec "${spec}")
    string(REPLACE "[" "\\[" spec "${spec}")
    string(REPLACE "]" "\\]" spec "${spec}")
    string(APPEND script "add_test([==[${name}]==]${executor} [==[${spec}]==]${extra})\n"
           "set_tests_properties([==[${name}]==] PROPERTIES WORKING_DIRECTORY [==[${TEST_WORKING_DIR}]==])\n")
    math(EXPR count "${count} + 1")
endforeach()
math(EXPR listed "${count} % 256")
if(count EQUAL 0 OR NOT listed EQUAL result)
    message(FATAL_ERROR "${TEST_EXECUTABLE} said it listed ${result} (mod 256) test cases; ${count} names were read")
endif()
file(WRITE "${CTEST_FILE}" "${script}")
