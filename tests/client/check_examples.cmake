# Fails unless every file in EXAMPLES appears verbatim in DOCUMENT (as the body of a code
# block), so that the examples in the documentation are exactly the ones CI compiles and runs.
#   cmake -DDOCUMENT=docs/embedding.md "-DEXAMPLES=a.cpp|b.cpp" -P check_examples.cmake
cmake_minimum_required(VERSION 3.25)
file(READ "${DOCUMENT}" document)
string(REPLACE "|" ";" examples "${EXAMPLES}")
foreach(example IN LISTS examples)
    file(READ "${example}" code)
    string(FIND "${document}" "```cpp\n${code}```" at)
    if(at EQUAL -1)
        message(FATAL_ERROR "${DOCUMENT} does not quote ${example} verbatim: paste the file "
                            "into a ```cpp block there (or update the file)")
    endif()
endforeach()
list(LENGTH examples count)
message(STATUS "all ${count} examples are quoted verbatim in ${DOCUMENT}")
