#include "engine/src/input_paths.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace sbscan {
namespace {

namespace fs = std::filesystem;

TEST(InputPathsTest, DirectoriesRecursiveSortedHiddenSkipped) {
  fs::path root = fs::temp_directory_path() / "sbscan_input_paths_test";
  fs::remove_all(root);
  fs::create_directories(root / "b" / "c");
  fs::create_directories(root / ".hidden");
  for (const char* f : {"z.jsonl", "b/y.jsonl", "b/c/x.json", ".hidden/h.jsonl", ".dot.jsonl"}) {
    std::ofstream(root / f) << "{}\n";
  }
  auto files = ExpandInputPaths({"-", root.string(), (root / "z.jsonl").string()});
  ASSERT_TRUE(files.ok()) << files.status();
  std::vector<std::string> want = {"-", (root / "b/c/x.json").string(),
                                   (root / "b/y.jsonl").string(), (root / "z.jsonl").string(),
                                   (root / "z.jsonl").string()};
  EXPECT_EQ(*files, want);
  auto missing = ExpandInputPaths({(root / "nope").string()});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(std::string(missing.status().message()).find("nope"), std::string::npos);
  fs::remove_all(root);
}

}  // namespace
}  // namespace sbscan
