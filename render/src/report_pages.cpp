#include "relmap/render/report_pages.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "relmap/common/csv.hpp"
#include "relmap/common/html.hpp"

namespace relmap::render {

using graph::DepartmentReport;
using graph::Figure;
using graph::RelationshipMap;
using graph::Window;
using Kind = Figure::Kind;

namespace {

std::string title_of(const DepartmentReport& report) { return graph::name_with_id(report.department, report.name); }

std::string window_text(const Window& window) {
  return window.from.value_or("the beginning") + " to " + window.to.value_or("the end");
}

std::string format_number(double value, int decimals) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(decimals);
  out << value;
  return out.str();
}

std::string format_value(Kind kind, double value) {
  switch (kind) {
    case Kind::count: return format_number(value, 0);
    case Kind::rate: return format_number(100 * value, 1) + "%";
    case Kind::seconds: {
      const double magnitude = std::abs(value);
      if (magnitude >= 86400) return format_number(value / 86400, 1) + " d";
      if (magnitude >= 3600) return format_number(value / 3600, 1) + " h";
      if (magnitude >= 60) return format_number(value / 60, 1) + " min";
      return format_number(value, 0) + " s";
    }
  }
  return {};
}

std::string format_change(Kind kind, double change) {
  if (change == 0) return "±0";
  const std::string sign = change > 0 ? "+" : "-";
  if (kind == Kind::rate) return sign + format_number(100 * std::abs(change), 1) + " pp";
  return sign + format_value(kind, std::abs(change));
}

/// "12 (+3)", "12 (new)", "-" for undefined.
std::string cell_text(const Figure& figure) {
  if (!figure.current) return figure.previous ? "- (was " + format_value(figure.kind, *figure.previous) + ")" : "-";
  std::string text = format_value(figure.kind, *figure.current);
  if (const auto change = figure.change()) return text + " (" + format_change(figure.kind, *change) + ")";
  return text + " (new)";
}

std::string markdown_escape(const std::string& text) {
  std::string escaped;
  for (const char c : text) {
    if (c == '|' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return escaped;
}

}  // namespace

std::string to_markdown(const DepartmentReport& report) {
  std::ostringstream out;
  out << "# Handoff report: " << markdown_escape(title_of(report)) << "\n\n"
      << "Period: " << window_text(report.window) << ", compared with " << window_text(report.previous_window)
      << " (changes in brackets). Data up to " << report.watermark.value_or("-") << ".\n";
  for (const auto& note : report.notes) out << "\n> " << markdown_escape(note) << '\n';
  for (const auto& section : report.sections) {
    out << "\n## " << markdown_escape(section.title) << "\n\n";
    if (section.rows.empty()) {
      out << "None in either period.\n";
      continue;
    }
    out << "| " << markdown_escape(section.row_heading) << " |";
    for (const auto& column : section.columns) out << ' ' << markdown_escape(column) << " |";
    out << "\n|---|";
    for (std::size_t i = 0; i < section.columns.size(); ++i) out << "---:|";
    out << '\n';
    for (const auto& row : section.rows) {
      out << "| " << markdown_escape(row.label) << " |";
      for (const auto& figure : row.figures) out << ' ' << cell_text(figure) << " |";
      out << '\n';
    }
  }
  return out.str();
}

namespace {

/// The head of a report page and of the index of reports, which look alike: one stylesheet, inline so
/// that a page stands alone (mailed, printed, opened from disk).
void write_html_head(std::ostream& out, const std::string& title) {
  out << "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>" << html_escape(title)
      << "</title>\n<style>\n"
      << "body{font-family:system-ui,Helvetica,Arial,sans-serif;margin:2em auto;max-width:62em;color:#222;padding:0 1em}\n"
      << "h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.8em;border-bottom:1px solid #ccc}\n"
      << "table{border-collapse:collapse;width:100%}th,td{padding:.3em .6em;border-bottom:1px solid #eee}\n"
      << "th{text-align:left;background:#f4f4f4}th.n{text-align:right}td.n{text-align:right;white-space:nowrap}\n"
      << ".change{color:#666;font-size:.85em}.meta{color:#555}.none{color:#888;font-style:italic}\n"
      << ".note{border-left:3px solid #c90;background:#fdf7e7;padding:.4em .8em}\n"
      << "@media print{body{margin:0;max-width:none}h2{break-after:avoid}tr{break-inside:avoid}}\n"
      << "</style></head><body>\n<h1>" << html_escape(title) << "</h1>\n";
}

std::string optional_rate(const std::optional<double>& rate) { return rate ? format_value(Kind::rate, *rate) : "-"; }

}  // namespace

std::string to_html(const DepartmentReport& report) {
  std::ostringstream out;
  write_html_head(out, "Handoff report: " + title_of(report));
  out << "<p class=\"meta\">Period " << window_text(report.window) << ", compared with "
      << window_text(report.previous_window) << ". Data up to " << html_escape(report.watermark.value_or("-"))
      << ".</p>\n";
  for (const auto& note : report.notes) out << "<p class=\"note\">" << html_escape(note) << "</p>\n";
  for (const auto& section : report.sections) {
    out << "<section id=\"" << section.id << "\"><h2>" << html_escape(section.title) << "</h2>\n";
    if (section.rows.empty()) {
      out << "<p class=\"none\">None in either period.</p></section>\n";
      continue;
    }
    out << "<table><thead><tr><th>" << html_escape(section.row_heading) << "</th>";
    for (const auto& column : section.columns) out << "<th class=\"n\">" << html_escape(column) << "</th>";
    out << "</tr></thead><tbody>\n";
    for (const auto& row : section.rows) {
      out << "<tr><td>" << html_escape(row.label) << "</td>";
      for (const auto& figure : row.figures) {
        out << "<td class=\"n\">" << (figure.current ? format_value(figure.kind, *figure.current) : "-");
        if (const auto change = figure.change()) {
          out << " <span class=\"change\">" << format_change(figure.kind, *change) << "</span>";
        } else if (figure.current) {
          out << " <span class=\"change\">new</span>";
        }
        out << "</td>";
      }
      out << "</tr>\n";
    }
    out << "</tbody></table></section>\n";
  }
  out << "</body></html>\n";
  return out.str();
}

std::string to_html_index(const RelationshipMap& map, const std::vector<std::string>& report_files) {
  if (report_files.size() != map.departments.size()) throw std::invalid_argument("one report file per department");
  std::ostringstream out;
  write_html_head(out, "Handoff reports");
  out << "<p class=\"meta\">Period " << window_text(map.window) << ". Data up to "
      << html_escape(map.watermark.value_or("-")) << ".</p>\n";
  if (map.departments.empty()) {
    out << "<p class=\"none\">No departments in this period.</p></body></html>\n";
    return out.str();
  }
  out << "<table><thead><tr><th>Department</th><th>Unit</th><th class=\"n\">Requests received</th>"
      << "<th class=\"n\">Handoffs in</th><th class=\"n\">Handoffs out</th><th class=\"n\">\"Not my role\" rate</th>"
      << "<th class=\"n\">Dead-end rate</th></tr></thead><tbody>\n";
  for (std::size_t i = 0; i < map.departments.size(); ++i) {
    const auto& department = map.departments[i];
    out << "<tr><td><a href=\"" << html_escape(report_files[i]) << "\">" << html_escape(department.name) << "</a></td><td>"
        << html_escape(department.unit) << "</td><td class=\"n\">" << department.requests_received
        << "</td><td class=\"n\">" << department.handoffs_in << "</td><td class=\"n\">" << department.handoffs_out
        << "</td><td class=\"n\">" << optional_rate(department.not_my_role_rate) << "</td><td class=\"n\">"
        << optional_rate(department.dead_end_rate) << "</td></tr>\n";
  }
  out << "</tbody></table></body></html>\n";
  return out.str();
}

std::string to_csv(const DepartmentReport& report) {
  std::ostringstream out;
  out << "department,section,row,column,value,previous,change\r\n";
  const auto number = [](const std::optional<double>& value) {
    std::ostringstream text;
    text.precision(12);
    if (value) text << *value;
    return text.str();
  };
  for (const auto& section : report.sections) {
    for (const auto& row : section.rows) {
      for (std::size_t i = 0; i < row.figures.size(); ++i) {
        const auto& figure = row.figures[i];
        out << csv_quote(report.department) << ',' << section.id << ',' << csv_quote(row.label) << ','
            << csv_quote(section.columns[i]) << ',' << number(figure.current) << ',' << number(figure.previous) << ','
            << number(figure.change()) << "\r\n";
      }
    }
  }
  return out.str();
}

std::string render_report(const DepartmentReport& report, std::string_view format) {
  if (format == "md") return to_markdown(report);
  if (format == "html") return to_html(report);
  if (format == "csv") return to_csv(report);
  if (format == "json") return graph::to_json(report) + "\n";
  throw std::invalid_argument("unknown report format " + std::string(format));
}

}  // namespace relmap::render
