#include "engine/src/line_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

namespace sbscan {
namespace {

struct Seen {
  std::vector<std::string> lines;
  std::vector<uint64_t> numbers, offsets, too_long;
};

Seen ReadAll(const std::string& data, LineReaderOptions options) {
  std::FILE* f = std::tmpfile();
  std::fwrite(data.data(), 1, data.size(), f);
  std::fflush(f);
  std::rewind(f);
  Seen seen;
  LineReader reader(options);
  uint64_t bytes = 0;
  absl::Status s = reader.Read(
      fileno(f),
      [&](std::string_view line, size_t capacity, uint64_t number, uint64_t offset) {
        EXPECT_GE(capacity, line.size() + simdjson::SIMDJSON_PADDING);
        seen.lines.emplace_back(line);
        seen.numbers.push_back(number);
        seen.offsets.push_back(offset);
      },
      [&](uint64_t number, uint64_t offset) { seen.too_long.push_back(number); }, &bytes);
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(bytes, data.size());
  std::fclose(f);
  return seen;
}

using ::testing::ElementsAre;

TEST(LineReaderTest, SplitsLinesWithNumbersAndOffsets) {
  Seen s = ReadAll("one\r\ntwo\n\n  \nthree", {});
  EXPECT_THAT(s.lines, ElementsAre("one", "two", "three"));
  EXPECT_THAT(s.numbers, ElementsAre(1, 2, 5));
  EXPECT_THAT(s.offsets, ElementsAre(0, 5, 13));
}

TEST(LineReaderTest, LinesAcrossSmallReads) {
  LineReaderOptions o;
  o.read_size = 7;
  o.max_line_bytes = 1 << 20;
  std::string data;
  std::vector<std::string> want;
  for (int i = 0; i < 200; ++i) {
    want.push_back(std::string(i % 37 + 1, static_cast<char>('a' + i % 26)));
    data += want.back() + "\n";
  }
  Seen s = ReadAll(data, o);
  EXPECT_EQ(s.lines, want);
}

TEST(LineReaderTest, OverlongLinesAreSkippedAndReported) {
  LineReaderOptions o;
  o.read_size = 16;
  o.max_line_bytes = 64;
  std::string data = "short\n" + std::string(1000, 'x') + "\nafter\n" + std::string(70, 'y');
  Seen s = ReadAll(data, o);
  EXPECT_THAT(s.lines, ElementsAre("short", "after"));
  EXPECT_THAT(s.too_long, ElementsAre(2, 4));
}

}  // namespace
}  // namespace sbscan

namespace sbscan {
namespace {

TEST(LineReaderTest, FollowModeKeepsTheIncompleteLineUntilItEnds) {
  std::FILE* f = std::tmpfile();
  int fd = fileno(f);
  LineReader reader;
  std::vector<std::string> lines;
  std::vector<uint64_t> offsets;
  uint64_t bytes = 0;
  auto read = [&](bool at_end) {
    ASSERT_TRUE(reader
                    .Read(
                        fd,
                        [&](std::string_view line, size_t, uint64_t, uint64_t offset) {
                          lines.emplace_back(line);
                          offsets.push_back(offset);
                        },
                        [](uint64_t, uint64_t) {}, &bytes, at_end)
                    .ok());
  };
  auto append = [&](const char* s) {
    ::lseek(fd, 0, SEEK_END);
    ASSERT_EQ(::write(fd, s, std::strlen(s)), static_cast<ssize_t>(std::strlen(s)));
  };
  // The reading position is the fd's own: append at the end, read from where it stopped.
  append("first\nsec");
  ::lseek(fd, 0, SEEK_SET);
  read(false);
  EXPECT_THAT(lines, ElementsAre("first"));
  off_t pos = ::lseek(fd, 0, SEEK_CUR);
  append("ond\nthird");
  ::lseek(fd, pos, SEEK_SET);
  read(false);
  EXPECT_THAT(lines, ElementsAre("first", "second"));
  read(true);
  EXPECT_THAT(lines, ElementsAre("first", "second", "third"));
  EXPECT_THAT(offsets, ElementsAre(0, 6, 13));
  EXPECT_EQ(bytes, 18u);
  std::fclose(f);
}

}  // namespace
}  // namespace sbscan
