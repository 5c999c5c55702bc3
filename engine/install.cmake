# Install rules (included at the end of engine/CMakeLists.txt): the public headers, one static
# archive holding every internal library (libsbscan.a), a shared library (libsbscan.so), a CMake
# package config (find_package(sbscan) -> sbscan::sbscan, the shared library, and
# sbscan::sbscan_static) and a pkg-config file (sbscan.pc). The C API lives in sbscan_engine too,
# so that the C++ tests and tools link it like everything else.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
find_package(OpenSSL REQUIRED)  # decoders link it; its target is directory-scoped there

target_sources(sbscan_engine PRIVATE ${CMAKE_CURRENT_LIST_DIR}/src/c_api.cc)
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/src/c_api.cc PROPERTIES
  COMPILE_DEFINITIONS SBSCAN_VERSION_STRING="${PROJECT_VERSION}")

# The internal libraries are compiled once, position-independent, and their objects are reused
# by both installable libraries. -fno-semantic-interposition keeps -fPIC code as fast as -fPIE
# (calls between our own functions stay direct and inlinable).
set(sbscan_internal_targets
  sbscan_engine sbscan_signatures sbscan_decoders sbscan_evtx
  sbscan_json_haswell sbscan_json_fallback)
set_target_properties(${sbscan_internal_targets} PROPERTIES POSITION_INDEPENDENT_CODE ON)
foreach(t ${sbscan_internal_targets})
  target_compile_options(${t} PRIVATE -fno-semantic-interposition)
endforeach()
set(sbscan_all_objects)
foreach(t ${sbscan_internal_targets})
  list(APPEND sbscan_all_objects $<TARGET_OBJECTS:${t}>)
endforeach()

# What the objects need at link time (the union of the internal targets' dependencies).
set(sbscan_link_deps
  PkgConfig::HS PkgConfig::RE2 simdjson::simdjson yaml-cpp ZLIB::ZLIB OpenSSL::Crypto
  Threads::Threads
  absl::status absl::statusor absl::strings absl::str_format absl::span absl::hash
  absl::flat_hash_map absl::flat_hash_set absl::function_ref)

add_library(sbscan_static STATIC ${sbscan_all_objects})
add_library(sbscan_shared SHARED ${sbscan_all_objects})
set_target_properties(sbscan_static PROPERTIES OUTPUT_NAME sbscan EXPORT_NAME sbscan_static
  LINKER_LANGUAGE CXX)
set_target_properties(sbscan_shared PROPERTIES OUTPUT_NAME sbscan EXPORT_NAME sbscan
  LINKER_LANGUAGE CXX VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR})
foreach(t sbscan_static sbscan_shared)
  target_include_directories(${t} INTERFACE
    $<BUILD_INTERFACE:${CMAKE_CURRENT_LIST_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
endforeach()
target_link_libraries(sbscan_static PUBLIC ${sbscan_link_deps})
# The C++ API headers include Abseil's Status; everything else is private to the .so.
target_link_libraries(sbscan_shared PUBLIC absl::status absl::statusor PRIVATE ${sbscan_link_deps})
target_link_options(sbscan_shared PRIVATE -Wl,--no-undefined)

install(DIRECTORY ${CMAKE_CURRENT_LIST_DIR}/include/sbscan
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")
install(TARGETS sbscan_static sbscan_shared EXPORT sbscanTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
set(sbscan_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/sbscan)
install(EXPORT sbscanTargets NAMESPACE sbscan:: DESTINATION ${sbscan_cmake_dir})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/cmake/sbscanConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/sbscanConfig.cmake INSTALL_DESTINATION ${sbscan_cmake_dir})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/sbscanConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/sbscanConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/sbscanConfigVersion.cmake
        DESTINATION ${sbscan_cmake_dir})

# pkg-config: relocatable (prefix found from the .pc file's own place).
file(RELATIVE_PATH sbscan_pc_to_prefix
  /root/${CMAKE_INSTALL_LIBDIR}/pkgconfig /root)
configure_file(${CMAKE_CURRENT_LIST_DIR}/cmake/sbscan.pc.in
  ${CMAKE_CURRENT_BINARY_DIR}/sbscan.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/sbscan.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
