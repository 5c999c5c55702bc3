#include "engine/src/xml_event_splitter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/src/xml_event_parser.h"

namespace sbscan {
namespace {

struct Item {
  XmlSplitKind kind;
  std::string xml;
  uint64_t offset, length;
  bool operator==(const Item& o) const {
    return kind == o.kind && xml == o.xml && offset == o.offset && length == o.length;
  }
};

std::ostream& operator<<(std::ostream& os, const Item& i) {
  return os << XmlSplitKindName(i.kind) << "@" << i.offset << "+" << i.length << ":" << i.xml;
}

void Drain(XmlEventSplitter* s, std::vector<Item>* out) {
  XmlSplitItem item;
  while (s->Next(&item)) {
    out->push_back({item.kind, std::string(item.xml), item.offset, item.length});
  }
}

// Splits `input` into chunks at the given cut positions.
std::vector<Item> Split(std::string_view input, const std::vector<size_t>& cuts,
                        XmlEventSplitterOptions options = {}) {
  XmlEventSplitter s(options);
  std::vector<Item> out;
  size_t prev = 0;
  for (size_t cut : cuts) {
    s.Feed(input.substr(prev, cut - prev));
    Drain(&s, &out);
    prev = cut;
  }
  s.Feed(input.substr(prev));
  Drain(&s, &out);
  s.Finish();
  Drain(&s, &out);
  return out;
}

std::vector<Item> SplitWhole(std::string_view input, XmlEventSplitterOptions options = {}) {
  return Split(input, {}, options);
}

std::string ReadShared(const std::string& name) {
  std::ifstream in(std::string(SBSCAN_SHARED_DIR) + "/formats/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const char kE1[] = "<Event xmlns='x'><System><EventID>4104</EventID></System></Event>";
const char kE2[] =
    "<Event>\n  <System>\n    <EventRecordID>2</EventRecordID>\n  </System>\n"
    "  <EventData><Data Name='ScriptBlockText'>a &lt;/Event&gt; b</Data></EventData>\n</Event>";

TEST(XmlEventSplitterTest, OnePerLine) {
  std::string in = std::string(kE1) + "\n" + kE2 + "\r\n";
  auto items = SplitWhole(in);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0], (Item{XmlSplitKind::kEvent, kE1, 0, sizeof(kE1) - 1}));
  EXPECT_EQ(items[1], (Item{XmlSplitKind::kEvent, kE2, sizeof(kE1), sizeof(kE2) - 1}));
}

TEST(XmlEventSplitterTest, WrapperPrologCommentsBom) {
  std::string in = std::string("\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n") +
                   "<!-- exported -->\r\n<Events>\r\n" + kE1 + "\r\n<?xml version='1.0'?>" +
                   kE2 + "\r\n</Events>\r\n";
  auto items = SplitWhole(in);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].kind, XmlSplitKind::kEvent);
  EXPECT_EQ(items[0].xml, kE1);
  EXPECT_EQ(in.substr(items[0].offset, items[0].length), kE1);
  EXPECT_EQ(items[1].xml, kE2);
  EXPECT_EQ(in.substr(items[1].offset, items[1].length), kE2);
}

TEST(XmlEventSplitterTest, EventsWithAttributesAndTagNamesThatLookAlike) {
  // <EventData>, <EventID>, <EventRecordID> and <Events> are not event starts.
  std::string in = std::string("<Events xmlns='x'>") + kE2 + "</Events>";
  auto items = SplitWhole(in);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].xml, kE2);
}

TEST(XmlEventSplitterTest, GarbageIsSkippedAndReported) {
  std::string in = std::string("junk line\n") + kE1 + "\nmore junk <b>x</b>\n" + kE1 + "tail";
  auto items = SplitWhole(in);
  ASSERT_EQ(items.size(), 5u);
  EXPECT_EQ(items[0], (Item{XmlSplitKind::kGarbage, "", 0, 10}));
  EXPECT_EQ(items[1].kind, XmlSplitKind::kEvent);
  EXPECT_EQ(items[2].kind, XmlSplitKind::kGarbage);
  EXPECT_EQ(in.substr(items[2].offset, items[2].length), "more junk <b>x</b>\n");
  EXPECT_EQ(items[3].kind, XmlSplitKind::kEvent);
  EXPECT_EQ(items[4].kind, XmlSplitKind::kGarbage);
  EXPECT_EQ(in.substr(items[4].offset), "tail");
}

TEST(XmlEventSplitterTest, TruncatedEvents) {
  std::string cut = std::string(kE1).substr(0, 30);
  std::string in = cut + "\n" + kE1 + "\n" + cut;
  auto items = SplitWhole(in);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0], (Item{XmlSplitKind::kTruncated, cut + "\n", 0, cut.size() + 1}));
  EXPECT_EQ(items[1].kind, XmlSplitKind::kEvent);
  EXPECT_EQ(items[2].kind, XmlSplitKind::kTruncated);
  EXPECT_EQ(items[2].xml, cut);
  XmlEventParser parser;
  Event e;
  EXPECT_FALSE(parser.Parse(items[0].xml, &e).ok);
}

TEST(XmlEventSplitterTest, TooLongEventIsSkippedWithBoundedBuffer) {
  std::string big = "<Event><EventData><Data Name='ScriptBlockText'>" + std::string(5000, 'x') +
                    "</Data></EventData></Event>";
  std::string in = std::string(kE1) + big + kE1;
  XmlEventSplitterOptions options;
  options.max_event_bytes = 1024;
  std::vector<size_t> cuts;
  for (size_t i = 100; i < in.size(); i += 100) cuts.push_back(i);
  for (const auto& items : {SplitWhole(in, options), Split(in, cuts, options)}) {
    ASSERT_EQ(items.size(), 3u);
    EXPECT_EQ(items[0].kind, XmlSplitKind::kEvent);
    EXPECT_EQ(items[1], (Item{XmlSplitKind::kTooLong, "", sizeof(kE1) - 1, big.size()}));
    EXPECT_EQ(items[2].kind, XmlSplitKind::kEvent);
    EXPECT_EQ(items[2].offset, sizeof(kE1) - 1 + big.size());
  }
}

TEST(XmlEventSplitterTest, SharedSampleSplitAtEveryBytePosition) {
  std::string in = ReadShared("event.xml");
  ASSERT_FALSE(in.empty());
  auto whole = SplitWhole(in);
  ASSERT_EQ(whole.size(), 2u);
  for (size_t cut = 0; cut <= in.size(); ++cut) {
    ASSERT_EQ(Split(in, {cut}), whole) << "cut at " << cut;
  }
  // Byte by byte.
  std::vector<size_t> all;
  for (size_t i = 1; i < in.size(); ++i) all.push_back(i);
  EXPECT_EQ(Split(in, all), whole);
}

TEST(XmlEventSplitterTest, WrappedAndGarbageSplitAtEveryBytePosition) {
  std::string in = std::string("\xEF\xBB\xBF<?xml version='1.0'?>\n<Events>junk") + kE1 + "<!--c-->" +
                   kE2 + std::string(kE1).substr(0, 20) + kE1 + "</Events>\nend";
  auto whole = SplitWhole(in);
  for (size_t cut = 0; cut <= in.size(); ++cut) {
    ASSERT_EQ(Split(in, {cut}), whole) << "cut at " << cut;
  }
  std::vector<size_t> all;
  for (size_t i = 1; i < in.size(); ++i) all.push_back(i);
  EXPECT_EQ(Split(in, all), whole);
  std::vector<XmlSplitKind> kinds;
  for (const Item& i : whole) kinds.push_back(i.kind);
  EXPECT_THAT(kinds, ::testing::ElementsAre(XmlSplitKind::kGarbage, XmlSplitKind::kEvent,
                                            XmlSplitKind::kEvent, XmlSplitKind::kTruncated,
                                            XmlSplitKind::kEvent, XmlSplitKind::kGarbage));
}

TEST(XmlEventSplitterTest, CountersAndReset) {
  XmlEventSplitter s;
  s.Feed(std::string("x") + kE1);
  s.Finish();
  std::string_view xml;
  uint64_t offset;
  ASSERT_TRUE(s.Next(&xml, &offset));
  EXPECT_EQ(offset, 1u);
  EXPECT_FALSE(s.Next(&xml, &offset));
  EXPECT_EQ(s.events(), 1u);
  EXPECT_EQ(s.garbage_regions(), 1u);
  EXPECT_EQ(s.garbage_bytes(), 1u);
  s.Reset();
  s.Feed(kE1);
  s.Finish();
  ASSERT_TRUE(s.Next(&xml, &offset));
  EXPECT_EQ(offset, 0u);
}

}  // namespace
}  // namespace sbscan
