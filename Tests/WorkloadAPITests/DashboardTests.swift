import HTTPServer
import Testing
import WorkloadAPI
import WorkloadEmulator

/// The dashboard page at the handler level; tests/browser/ runs it in chromium.
@Suite struct DashboardTests {
    let t = TestApp()

    static let paths = [
        "/", "/__emulator/ui", "/__emulator/ui/",
        "/sandboxes/blue/", "/sandboxes/blue", "/sandboxes/blue/__emulator/ui",
    ]

    @Test(arguments: paths) func servesTheHTMLPageWithoutAToken(_ path: String) {
        let r = t.send("GET", path, token: nil)
        #expect(r.status == 200)
        #expect(r.contentType == "text/html; charset=utf-8")
        #expect(r.text.hasPrefix("<!doctype html>"))
        #expect(r.text.contains("data-action=\"advance-8h\""))
    }

    @Test func headAnswersLikeGet() {
        let r = t.send("HEAD", "/", token: nil)
        #expect(r.status == 200)
        #expect(r.contentType == "text/html; charset=utf-8")
    }

    @Test func otherMethodsAre405() {
        let r = t.send("POST", "/__emulator/ui", token: nil)
        #expect(r.status == 405)
        #expect(r.headers["Allow"] == "GET, HEAD")
    }

    @Test func namesNoOtherHost() {
        let html = t.send("GET", "/", token: nil).text
        #expect(!html.contains("http://"))
        #expect(!html.contains("https://"))
        // Protocol-relative URLs would reach another host too.
        for attribute in ["src=\"//", "href=\"//", "url(//", "src='//", "href='//"] {
            #expect(!html.contains(attribute), "\(attribute)")
        }
        #expect(!html.contains("@import"))
    }

    @Test func browserPolicyAllowsOnlyTheEmulatorItself() {
        let csp = t.send("GET", "/", token: nil).headers["Content-Security-Policy"] ?? ""
        #expect(csp.contains("default-src 'none'"))
        #expect(csp.contains("connect-src 'self'"))
    }

    @Test func otherResponsesStayJSON() {
        // The page is the one exception to the JSON content type.
        #expect(t.send("GET", "/__emulator/health", token: nil).contentType == "application/json")
        #expect(t.send("GET", "/nope", token: nil).contentType == "application/json")
    }
}
