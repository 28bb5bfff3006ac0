# Install the library, its headers and a CMake package so that another project can say
# find_package(switchboard CONFIG REQUIRED) and link switchboard::switchboard.
include(CMakePackageConfigHelpers)

set(SWITCHBOARD_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/switchboard)

install(TARGETS switchboard EXPORT switchboardTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
    FILE_SET HEADERS DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT switchboardTargets
    NAMESPACE switchboard::
    DESTINATION ${SWITCHBOARD_CMAKE_DIR})

configure_package_config_file(cmake/switchboardConfig.cmake.in
    ${PROJECT_BINARY_DIR}/switchboardConfig.cmake
    INSTALL_DESTINATION ${SWITCHBOARD_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/switchboardConfigVersion.cmake
    COMPATIBILITY SameMinorVersion)
install(FILES
    ${PROJECT_BINARY_DIR}/switchboardConfig.cmake
    ${PROJECT_BINARY_DIR}/switchboardConfigVersion.cmake
    DESTINATION ${SWITCHBOARD_CMAKE_DIR})
