import Synchronization
import Testing

@testable import WorkloadEmulator

@Suite struct WorldListTests {
    @Test func pagesFiltersAndOrder() throws {
        var w = World.make()
        for i in 0..<25 {
            var inp = draftInput("name-\(i % 5)")
            inp.importance = i % 2 == 0 ? .high : .low
            _ = try w.createWorkload(inp, by: alice)
        }
        _ = try w.createWorkload(draftInput("bob's"), by: bob)
        var q = ListQuery()
        q.offset = 20
        q.limit = 10
        let page = w.listWorkloads(q, for: alice)
        #expect(page.totalCount == 25 && page.items.count == 5)
        #expect(page.items.first?.name == "name-0")
        q = ListQuery()
        q.search = "NAME-3"
        q.limit = 100
        #expect(w.listWorkloads(q, for: alice).totalCount == 5)
        q = ListQuery()
        q.importance = [.high]
        q.limit = 100
        #expect(w.listWorkloads(q, for: alice).totalCount == 13)
        q = ListQuery()
        q.orderBy = (.name, true)
        q.limit = 3
        #expect(w.listWorkloads(q, for: alice).items.map(\.name) == ["name-4", "name-4", "name-4"])
        #expect(w.listWorkloads(ListQuery(), for: bob).totalCount == 1)
    }

    @Test func deletingKeepsTheIndexInOrder() throws {
        var w = World.make()
        var ids: [String] = []
        for i in 0..<10 { ids.append(try w.createWorkload(draftInput("\(i)"), by: alice).id) }
        for i in [0, 5, 9] { _ = try w.deleteWorkload(ids[i], by: alice) }
        var q = ListQuery()
        q.limit = 100
        #expect(w.listWorkloads(q, for: alice).items.map(\.name) == ["1", "2", "3", "4", "6", "7", "8"])
    }

    @Test func sameSeedSameIds() throws {
        var a = World.make()
        var b = World.make()
        for _ in 0..<5 {
            #expect(try a.createWorkload(draftInput(), by: alice).id == b.createWorkload(draftInput(), by: alice).id)
        }
    }
}
