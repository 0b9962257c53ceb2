package io.amifleet.emulator.realistic;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The little XML the layer reads and writes: EC2 and STS error bodies, single elements of moto's
 * answers, and the top-level {@code <item>} elements of a list ({@code <imagesSet>}). moto writes
 * its answers from the botocore models without whitespace or attributes on these elements, so plain
 * scanning is enough, and far cheaper than a parser for a proxy on every call. Stateless.
 */
final class Xml {
  private Xml() {}

  /**
   * EC2's error shape
   * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
   */
  static String ec2Error(String code, String message) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>"
        + escape(code)
        + "</Code><Message>"
        + escape(message)
        + "</Message></Error></Errors><RequestID>"
        + UUID.randomUUID()
        + "</RequestID></Response>";
  }

  /** STS's (Query protocol) error shape. */
  static String stsError(String code, String message) {
    return "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender"
        + "</Type><Code>"
        + escape(code)
        + "</Code><Message>"
        + escape(message)
        + "</Message></Error><RequestId>"
        + UUID.randomUUID()
        + "</RequestId></ErrorResponse>";
  }

  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&apos;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** The text of the first {@code <name>} element in {@code xml} (from {@code from}), or null. */
  static String first(String xml, String name, int from) {
    String open = "<" + name + ">";
    int i = xml.indexOf(open, from);
    if (i < 0) {
      return null;
    }
    int start = i + open.length();
    int end = xml.indexOf("</" + name + ">", start);
    return end < 0 ? null : xml.substring(start, end);
  }

  static String first(String xml, String name) {
    return first(xml, name, 0);
  }

  /** Every text of {@code <name>} elements in {@code xml}. */
  static List<String> all(String xml, String name) {
    List<String> out = new ArrayList<>();
    String open = "<" + name + ">";
    String close = "</" + name + ">";
    int i = 0;
    while ((i = xml.indexOf(open, i)) >= 0) {
      int start = i + open.length();
      int end = xml.indexOf(close, start);
      if (end < 0) {
        break;
      }
      out.add(xml.substring(start, end));
      i = end + close.length();
    }
    return out;
  }

  /** A region of the document: [start, end). */
  record Span(int start, int end) {}

  /**
   * The top-level {@code <item>...</item>} elements inside the first {@code <listName>} element,
   * nested items (block devices, tags) skipped. Empty when the list is absent or empty.
   */
  static List<Span> items(String xml, String listName) {
    List<Span> out = new ArrayList<>();
    String open = "<" + listName + ">";
    int listStart = xml.indexOf(open);
    if (listStart < 0) {
      return out;
    }
    int listEnd = xml.indexOf("</" + listName + ">", listStart);
    if (listEnd < 0) {
      return out;
    }
    int i = listStart + open.length();
    int depth = 0;
    int itemStart = -1;
    // Nested lists inside an item (blockDeviceMapping, tagSet) hold <item> too, but balanced, so
    // depth 0 only occurs between top-level items. listEnd is the list's own closing tag: moto
    // never nests a list in a list of the same name.
    while (true) {
      int nextOpen = xml.indexOf("<item>", i);
      int nextClose = xml.indexOf("</item>", i);
      if (nextClose < 0 || nextClose >= listEnd) {
        break;
      }
      if (nextOpen >= 0 && nextOpen < nextClose) {
        if (depth == 0) {
          itemStart = nextOpen;
        }
        depth++;
        i = nextOpen + "<item>".length();
      } else {
        depth--;
        i = nextClose + "</item>".length();
        if (depth == 0 && itemStart >= 0) {
          out.add(new Span(itemStart, i));
          itemStart = -1;
        }
      }
    }
    return out;
  }

  /**
   * The text of {@code <name>} directly in {@code item} at nesting depth 1 (not inside a nested
   * {@code <item>}), or null.
   */
  static String topLevel(String item, String name) {
    String open = "<" + name + ">";
    int depth = 0;
    int i = "<item>".length();
    while (i < item.length()) {
      int lt = item.indexOf('<', i);
      if (lt < 0) {
        return null;
      }
      if (item.startsWith("<item>", lt)) {
        depth++;
        i = lt + 6;
      } else if (item.startsWith("</item>", lt)) {
        depth--;
        i = lt + 7;
      } else if (depth == 0 && item.startsWith(open, lt)) {
        int start = lt + open.length();
        int end = item.indexOf("</" + name + ">", start);
        return end < 0 ? null : item.substring(start, end);
      } else {
        i = lt + 1;
      }
    }
    return null;
  }
}
