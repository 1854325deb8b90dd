#include "figure/svg.hpp"

#include <cstdio>
#include <sstream>

namespace kvscope::figure {

namespace {

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    std::string s = buf;
    while (!s.empty() && s.back() == '0')
        s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s == "-0" ? "0" : s;
}

std::string hex(Rgba c) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", red(c), green(c), blue(c));
    return buf;
}

std::string opacity(const char* attr, Rgba c) {
    if (alpha(c) == 255) return "";
    return std::string(" ") + attr + "=\"" + num(alpha(c) / 255.0) + "\"";
}

std::string fill(Rgba c) {
    return " fill=\"" + hex(c) + "\"" + opacity("fill-opacity", c);
}

std::string stroke(Rgba c, float width) {
    return " stroke=\"" + hex(c) + "\"" + opacity("stroke-opacity", c) + " stroke-width=\"" +
           num(width) + "\"";
}

std::string points(const std::vector<Vec2>& pts) {
    std::string s;
    for (const auto& p : pts) {
        if (!s.empty()) s += ' ';
        s += num(p.x) + ',' + num(p.y);
    }
    return s;
}

void write_polyline(std::ostringstream& o, const PolylinePrim& p) {
    if (p.points.size() < 2) return;
    o << "<polyline points=\"" << points(p.points) << "\" fill=\"none\""
      << stroke(p.colour, p.width) << " stroke-linejoin=\"round\"";
    if (!p.dash.empty()) {
        o << " stroke-dasharray=\"";
        for (std::size_t i = 0; i < p.dash.size(); ++i)
            o << (i ? " " : "") << num(p.dash[i]);
        o << "\"";
    }
    o << "/>\n";
}

void write_marker(std::ostringstream& o, const MarkerPrim& m) {
    const bool hollow = marker_hollow(m.shape);
    const std::string paint =
        hollow ? " fill=\"none\"" + stroke(m.colour, m.stroke_width) : fill(m.colour);
    if (m.shape == MarkerShape::Cross) {
        const float r = m.radius;
        o << "<path d=\"M" << num(m.centre.x - r) << ',' << num(m.centre.y - r) << " L"
          << num(m.centre.x + r) << ',' << num(m.centre.y + r) << " M" << num(m.centre.x - r) << ','
          << num(m.centre.y + r) << " L" << num(m.centre.x + r) << ',' << num(m.centre.y - r)
          << "\" fill=\"none\"" << stroke(m.colour, m.stroke_width) << "/>\n";
    } else if (m.shape == MarkerShape::Circle || m.shape == MarkerShape::Ring) {
        o << "<circle cx=\"" << num(m.centre.x) << "\" cy=\"" << num(m.centre.y) << "\" r=\""
          << num(m.radius) << "\"" << paint << "/>\n";
    } else {
        o << "<polygon points=\"" << points(marker_polygon(m.shape, m.centre, m.radius)) << "\""
          << paint << "/>\n";
    }
}

}  // namespace

std::string xml_escape(const std::string& text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string to_svg(const DisplayList& list, const TrueTypeFont* font) {
    std::ostringstream o;
    o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << num(list.width) << "\" height=\""
      << num(list.height) << "\" viewBox=\"0 0 " << num(list.width) << ' ' << num(list.height)
      << "\" font-family=\"DejaVu Sans, Verdana, sans-serif\">\n";
    if (list.background)
        o << "<rect x=\"0\" y=\"0\" width=\"" << num(list.width) << "\" height=\""
          << num(list.height) << "\"" << fill(list.background) << "/>\n";
    int clip_id = 0;
    for (const auto& item : list.items) {
        if (const auto* p = std::get_if<PolylinePrim>(&item)) {
            write_polyline(o, *p);
        } else if (const auto* r = std::get_if<RectPrim>(&item)) {
            o << "<rect x=\"" << num(r->rect.x0) << "\" y=\"" << num(r->rect.y0) << "\" width=\""
              << num(r->rect.width()) << "\" height=\"" << num(r->rect.height()) << "\"";
            if (r->rounding > 0) o << " rx=\"" << num(r->rounding) << "\"";
            o << (r->fill ? fill(r->fill) : std::string(" fill=\"none\""));
            if (r->stroke) o << stroke(r->stroke, r->stroke_width);
            o << "/>\n";
        } else if (const auto* m = std::get_if<MarkerPrim>(&item)) {
            write_marker(o, *m);
        } else if (const auto* t = std::get_if<TextPrim>(&item)) {
            const float ascent = font ? font->ascent(t->size) : 0.797f * t->size;
            const float em = font ? font->em_size(t->size) : 0.859f * t->size;
            o << "<text x=\"" << num(t->pos.x) << "\" y=\"" << num(t->pos.y + ascent)
              << "\" font-size=\"" << num(em) << "\"" << fill(t->colour)
              << " xml:space=\"preserve\">" << xml_escape(t->text) << "</text>\n";
        } else if (const auto* c = std::get_if<ClipPush>(&item)) {
            ++clip_id;
            o << "<clipPath id=\"clip" << clip_id << "\"><rect x=\"" << num(c->rect.x0) << "\" y=\""
              << num(c->rect.y0) << "\" width=\"" << num(c->rect.width()) << "\" height=\""
              << num(c->rect.height()) << "\"/></clipPath>\n"
              << "<g clip-path=\"url(#clip" << clip_id << ")\">\n";
        } else if (std::holds_alternative<ClipPop>(item)) {
            o << "</g>\n";
        }
    }
    o << "</svg>\n";
    return o.str();
}

}  // namespace kvscope::figure
