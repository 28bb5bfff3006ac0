# Driver for the package.consumer test (see CMakeLists.txt beside this file), run as
#   cmake -DBUILD_DIR=... -DSTAGE=... -DCONSUMER_SOURCE_DIR=... -DCONSUMER_BUILD_DIR=... \
#         [-DCONFIG=...] [-DGENERATOR=...] [...] -P run_consumer.cmake
# Every step must succeed; the first failure ends the script with a message and a non-zero
# exit code, which is what ctest reports.
cmake_minimum_required(VERSION 3.25)

foreach(var IN ITEMS BUILD_DIR STAGE CONSUMER_SOURCE_DIR CONSUMER_BUILD_DIR)
    if(NOT ${var})
        message(FATAL_ERROR "package test: ${var} is not set")
    endif()
endforeach()

# Runs one step with a time limit, its output going to ctest's log.
function(step name timeout)
    message(STATUS "package test: ${name}")
    execute_process(COMMAND ${ARGN}
        RESULT_VARIABLE result
        TIMEOUT ${timeout}
        COMMAND_ECHO STDOUT)
    if(NOT result STREQUAL "0")
        message(FATAL_ERROR "package test: ${name} failed: ${result}")
    endif()
endfunction()

# A fresh stage and consumer build each run: files left by an earlier install (a header
# since removed from the install, say) must not make this one pass.
file(REMOVE_RECURSE "${STAGE}" "${CONSUMER_BUILD_DIR}")

set(config_args)
if(CONFIG)
    set(config_args --config "${CONFIG}")
endif()

step("install to ${STAGE}" 120
    "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${STAGE}" ${config_args})

if(NOT INCLUDEDIR)
    set(INCLUDEDIR include)
endif()
set(include_dir "${STAGE}/${INCLUDEDIR}")

# The installed headers are the public, Asio-free ones: including them must not drag in Asio.
# The one exception is the coroutine client, whose operations are Asio awaitables; it must be
# installed (and nothing else may include Asio).
file(GLOB_RECURSE installed_headers "${include_dir}/*")
if(NOT installed_headers)
    message(FATAL_ERROR "package test: no headers were installed under ${include_dir}")
endif()
set(asio_allowed "${include_dir}/switchboard/client.hpp")
if(NOT EXISTS "${asio_allowed}")
    message(FATAL_ERROR "package test: the coroutine client header ${asio_allowed} was not installed")
endif()
foreach(header IN LISTS installed_headers)
    if(header STREQUAL asio_allowed)
        continue()
    endif()
    file(STRINGS "${header}" asio_includes REGEX "#[ \t]*include[ \t]*[<\"]boost/asio")
    if(asio_includes)
        message(FATAL_ERROR "package test: installed header ${header} includes Asio: ${asio_includes}")
    endif()
endforeach()
if(NOT EXISTS "${include_dir}/switchboard/version.hpp")
    message(FATAL_ERROR "package test: the generated switchboard/version.hpp was not installed")
endif()

# The installed library holds the product only: none of the lab's designs (namespace
# switchboard::lab), which the tree builds for the `switchboard` binary and the tests.
file(GLOB_RECURSE installed_libraries "${STAGE}/lib*/libswitchboard.*")
if(NOT installed_libraries)
    message(FATAL_ERROR "package test: no libswitchboard was installed under ${STAGE}")
endif()
find_program(NM_PROGRAM nm REQUIRED)
foreach(library IN LISTS installed_libraries)
    if(IS_SYMLINK "${library}")
        continue()
    endif()
    execute_process(COMMAND "${NM_PROGRAM}" --demangle --defined-only "${library}"
        OUTPUT_VARIABLE symbols RESULT_VARIABLE result ERROR_QUIET)
    if(NOT result STREQUAL "0")
        message(FATAL_ERROR "package test: nm could not read ${library}")
    endif()
    string(REGEX MATCHALL "[^\n]*switchboard::lab::[^\n]*" lab_symbols "${symbols}")
    if(lab_symbols)
        list(GET lab_symbols 0 first)
        message(FATAL_ERROR "package test: ${library} contains lab code, e.g. ${first}")
    endif()
    string(FIND "${symbols}" "switchboard::single_task::Relay::route_input" at)
    if(at EQUAL -1)
        message(FATAL_ERROR "package test: ${library} lacks the single-task relay")
    endif()
endforeach()

# The installed package files must not point back into the source or build tree.
file(GLOB_RECURSE package_files "${STAGE}/*.cmake")
foreach(file IN LISTS package_files)
    file(READ "${file}" text)
    # The stage itself lives in the build tree; only paths outside it are suspicious.
    string(REPLACE "${STAGE}/" "" text "${text}")
    foreach(tree IN ITEMS PROJECT_SOURCE_DIR BUILD_DIR)
        if(${tree})
            string(FIND "${text}" "${${tree}}/" at)
            if(NOT at EQUAL -1)
                message(FATAL_ERROR "package test: ${file} refers to ${${tree}}")
            endif()
        endif()
    endforeach()
endforeach()

set(configure_args
    -S "${CONSUMER_SOURCE_DIR}" -B "${CONSUMER_BUILD_DIR}"
    "-DCMAKE_PREFIX_PATH=${STAGE}"
    # Only the stage may provide switchboard: no user package registry.
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
    "-DEXPECTED_VERSION=${EXPECTED_VERSION}")
if(GENERATOR)
    list(APPEND configure_args -G "${GENERATOR}")
    if(MAKE_PROGRAM)
        list(APPEND configure_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
    endif()
endif()
if(CXX_COMPILER)
    list(APPEND configure_args "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
endif()
if(CONFIG)
    list(APPEND configure_args "-DCMAKE_BUILD_TYPE=${CONFIG}")
endif()
if(BOOST_DIR)
    # The Boost the library was built against, in case it is not on the default search path.
    list(APPEND configure_args "-DBoost_DIR=${BOOST_DIR}")
endif()
if(SANITIZE)
    # A sanitized library only links into a sanitized program.
    list(APPEND configure_args
        "-DCMAKE_CXX_FLAGS=-fsanitize=${SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all"
        "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=${SANITIZE}")
endif()
if(WERROR)
    list(APPEND configure_args -DCONSUMER_WERROR=ON)
endif()

step("configure the consumer" 120 "${CMAKE_COMMAND}" ${configure_args})

# Make sure the package that was found is the staged one, not one installed on the machine.
file(STRINGS "${CONSUMER_BUILD_DIR}/CMakeCache.txt" found_dir REGEX "^switchboard_DIR:")
string(REGEX REPLACE "^[^=]*=" "" found_dir "${found_dir}")
file(REAL_PATH "${STAGE}" real_stage)
file(REAL_PATH "${found_dir}" real_found_dir)
string(FIND "${real_found_dir}/" "${real_stage}/" at)
if(NOT at EQUAL 0)
    message(FATAL_ERROR "package test: switchboard was found in ${found_dir}, not in ${STAGE}")
endif()

step("build the consumer" 240
    "${CMAKE_COMMAND}" --build "${CONSUMER_BUILD_DIR}" --parallel 1 ${config_args})

# The consumer bounds its own waits; this limit only catches a hang outside them.
set(consumer "${CONSUMER_BUILD_DIR}/switchboard_consumer")
if(CONFIG AND EXISTS "${CONSUMER_BUILD_DIR}/${CONFIG}/switchboard_consumer")
    set(consumer "${CONSUMER_BUILD_DIR}/${CONFIG}/switchboard_consumer")
endif()
step("run the consumer" 60 "${consumer}")
message(STATUS "package test: passed")
