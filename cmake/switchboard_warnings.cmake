# Warnings and sanitizers for every target of this project (not for consumers of the package).
add_library(switchboard_warnings INTERFACE)
target_compile_options(switchboard_warnings INTERFACE -Wall -Wextra -Wpedantic
    $<$<BOOL:${SWITCHBOARD_WERROR}>:-Werror>)

if(SWITCHBOARD_SANITIZE)
    add_compile_options(-fsanitize=${SWITCHBOARD_SANITIZE} -fno-omit-frame-pointer
                        -fno-sanitize-recover=all)
    add_link_options(-fsanitize=${SWITCHBOARD_SANITIZE})
endif()
