import JSON

/// The state form of every model, written once, straight to bytes with `JSONWriter` (no
/// `JSONValue` tree: 100,000 workloads must be written well inside the stop budget).
/// The snapshot, the state log's records and `GET /__emulator/state` all come from
/// here; `restore` (World+Snapshot) reads it back, and `SnapshotBytesTests` holds the two
/// in agreement.
extension World {
    /// `capacity`: a guess of the size (the previous document's), to avoid regrowing.
    public func snapshotBytes(capacity: Int = 4096) -> [UInt8] {
        var j = JSONWriter(capacity: capacity)
        writeSnapshot(&j)
        return j.bytes
    }

    func writeSnapshot(_ j: inout JSONWriter) {
        j.object { j in
            j.string("format", World.snapshotFormat)
            j.int("version", World.snapshotVersion)
            j.string("sandbox", name)
            writeHeader(&j)
            writeUsers(&j)
            j.array("repositories") { j in for r in repositories.values { World.write(r, &j) } }
            j.array("artifacts") { j in for a in artifacts.values { World.write(a, &j) } }
            j.array("workloads") { j in for w in workloads.values { World.write(w, &j) } }
            j.array("protons") { j in for p in protons.values.sorted(by: { $0.id < $1.id }) { World.write(p, &j) } }
            j.array("deployments") { j in for d in deployments.values { World.write(d, &j) } }
            j.array("builds") { j in for b in builds.values.sorted(by: { $0.id < $1.id }) { World.write(b, &j) } }
            j.array("scheduled") { j in for e in savedSchedule { World.write(e, &j) } }
            j.array("faults") { j in for f in faults { j.value(f.json) } }
            j.array("log") { j in for e in log { World.write(e, &j) } }
            writeCredentials(&j)
        }
    }

    /// The sandbox's credentials, those from fixtures included: once saved, the list is
    /// the sandbox's own (created and deleted through the API), not the catalogue's.
    func writeCredentials(_ j: inout JSONWriter) {
        j.array("credentials") { j in
            for c in platform.credentials {
                j.object { j in
                    j.string("id", c.id)
                    j.string("name", c.name)
                    j.string("description", c.description)
                    j.string("credentialType", c.credentialType)
                    j.timestamp("createdAt", c.createdAt)
                    j.string("creatorId", c.creatorId)
                }
            }
        }
    }

    /// The clock, profile and generator positions (keys inside an open object).
    func writeHeader(_ j: inout JSONWriter) {
        j.object("clock") { j in
            j.string("mode", clock.mode.rawValue)
            j.timestamp("now", clock.now())
            j.double("scale", clock.scale)
        }
        j.timestamp("now", now)
        j.value("profile", profile.json)
        j.object("generators") { j in
            j.hex16("ids", ids.random.state)
            j.hex16("faults", faultRandom.state)
            j.hex16("eventIdBase", eventIdBase)
            j.int("nextEventNumber", Int64(nextEventNumber))
            j.int("nextSeq", nextSeq)
            j.hex16("nextToken", nextToken)
            j.hex16("schedulerSequence", scheduler.nextSequence)
        }
    }

    func writeUsers(_ j: inout JSONWriter) {
        j.array("users") { j in
            for u in usersById.values.sorted(by: { $0.id < $1.id }) {
                j.object { j in
                    j.string("id", u.id)
                    j.string("username", u.username)
                    j.string("token", u.token)
                }
            }
        }
    }

    static func write(_ e: LifecycleScheduler.Entry, _ j: inout JSONWriter) {
        j.object { j in
            j.timestamp("at", e.at)
            j.hex16("sequence", e.sequence)
            j.string("kind", World.kindName(e.action.kind))
            j.string("workloadId", e.action.workloadId)
            j.hex16("token", e.action.token)
        }
    }

    // MARK: - Objects, in `encode`'s key order

    static func write(_ r: ArtifactRepository, _ j: inout JSONWriter) {
        j.object { j in
            j.string("id", r.id)
            j.string("name", r.name)
            j.string("description", r.description)
            j.int("lastVersionNumber", r.lastVersionNumber)
            j.string("creatorId", r.creatorId)
            j.timestamp("createdAt", r.createdAt)
            j.timestamp("updatedAt", r.updatedAt)
            j.strings("artifactIds", r.artifactIds)
            writeRoles(r.roles, &j)
        }
    }

    static func writeRoles(_ roles: [(userId: String, role: Role)], _ j: inout JSONWriter) {
        j.array("roles") { j in
            for g in roles {
                j.object { j in
                    j.string("userId", g.userId)
                    j.string("role", g.role.rawValue)
                }
            }
        }
    }

    static func write(_ a: Artifact, _ j: inout JSONWriter) {
        j.object { j in
            j.string("id", a.id)
            j.string("name", a.name)
            j.string("description", a.description)
            j.string("type", a.type)
            j.string("status", a.status.rawValue)
            j.key("version")
            if let v = a.version { j.int(Int64(v)) } else { j.null() }
            j.string("repositoryId", a.repositoryId)
            j.value("spec", a.spec)
            j.string("creatorId", a.creatorId)
            j.timestamp("createdAt", a.createdAt)
            j.timestamp("updatedAt", a.updatedAt)
            j.strings("workloadIds", a.workloadIds)
            writeRoles(a.roles, &j)
            j.strings("buildIds", a.buildIds)
        }
    }

    static func write(_ p: Proton, _ j: inout JSONWriter) {
        j.object { j in
            j.string("id", p.id)
            j.string("workloadId", p.workloadId)
            j.string("status", p.status.rawValue)
            j.string("role", p.role.rawValue)
            j.string("artifactId", p.artifactId)
            j.timestamp("createdAt", p.createdAt)
            j.timestamp("updatedAt", p.updatedAt)
            j.string("failureMessage", p.failureMessage)
            j.int("replicas", p.replicas)
            j.timestamp("scheduledAt", p.scheduledAt)
        }
    }

    /// `invocations: false`: the state log keeps a workload's requests and log lines
    /// apart (appended, not rewritten with every change of the workload).
    static func write(_ w: Workload, _ j: inout JSONWriter, invocations: Bool = true) {
        j.object { j in
            j.string("id", w.id)
            j.int("seq", w.seq)
            j.string("name", w.name)
            j.string("description", w.description)
            j.string("importance", w.importance.rawValue)
            j.string("status", w.status.rawValue)
            j.string("artifactId", w.artifactId)
            j.value("runtime", w.runtime)
            j.string("protonId", w.protonId)
            j.strings("protonIds", w.protonIds)
            j.string("creatorId", w.creatorId)
            writeRoles(w.roles, &j)
            j.timestamp("createdAt", w.createdAt)
            j.timestamp("updatedAt", w.updatedAt)
            j.timestamp("lastStartAt", w.lastStartAt)
            j.timestamp("expiresAt", w.expiresAt)
            if let p = w.pending {
                j.object("pending") { j in
                    j.timestamp("at", p.at)
                    j.string("to", p.to.rawValue)
                }
            } else {
                j.key("pending")
                j.null()
            }
            j.hex16("transitionToken", w.transitionToken)
            j.hex16("expiryToken", w.expiryToken)
            j.string("heldBy", w.heldBy)
            j.string("failureMessage", w.failureMessage)
            j.timestamp("promotedAt", w.promotedAt)
            j.array("events") { j in for e in w.events { write(e, &j) } }
            if let r = w.replacement {
                j.key("replacement")
                write(r, &j)
            } else {
                j.key("replacement")
                j.null()
            }
            j.array("history") { j in for h in w.history { write(h, &j) } }
            j.string("upstream", w.upstream)
            j.timestamp("invocationsSince", w.invocations.since)
            if invocations {
                writeInvocations(w.invocations.records[...], &j)
                j.int("logsWritten", Int64(w.logs.written))
                writeLogLines(w.logs, last: w.logs.count, &j)
            }
        }
    }

    /// The newest `n` of a workload's log lines, oldest first (`WorkloadLog` keeps the
    /// newest `capacity`). Read in place: no copy of the lines for the snapshot.
    static func writeLogLines(_ log: WorkloadLog, last n: Int, _ j: inout JSONWriter) {
        j.array("logs") { j in
            for i in max(0, log.count - max(0, n))..<log.count {
                let l = log[i]
                j.object { j in
                    j.int("number", Int64(l.number))
                    j.timestamp("at", l.at)
                    j.string("level", l.level.name)
                    j.string("message", l.message)
                    j.string("protonId", l.protonId)
                    if let a = l.access {
                        j.object("access") { j in
                            j.string("method", a.method)
                            j.string("path", a.path)
                            j.int("status", a.status)
                            j.double("latencyMs", a.latencyMs)
                            j.timestamp("startedAt", a.startedAt)
                        }
                    }
                }
            }
        }
    }

    static func writeInvocations(_ records: ArraySlice<InvocationRecord>, _ j: inout JSONWriter) {
        j.array("invocations") { j in
            for r in records {
                j.object { j in
                    j.timestamp("at", r.at)
                    j.double("latencyMs", r.latencyMs)
                    j.int("status", r.status)
                    j.string("protonId", r.protonId)
                    j.int("concurrency", r.concurrency)
                }
            }
        }
    }

    static func write(_ e: WorkloadEvent, _ j: inout JSONWriter) {
        j.object { j in
            j.int("number", Int64(e.number))
            j.string("kind", e.kind.rawValue)
            j.timestamp("at", e.at)
            j.string("actorId", e.actorId)
            j.string("from", e.from?.rawValue)
            j.string("to", e.to?.rawValue)
            j.string("message", e.message)
            j.string("replacementStatus", e.replacementStatus?.rawValue)
        }
    }

    static func write(_ r: Replacement, _ j: inout JSONWriter) {
        j.object { j in
            j.string("id", r.id)
            j.string("status", r.status.rawValue)
            j.string("strategy", r.strategy)
            j.string("trigger", r.trigger)
            j.string("fromArtifactId", r.fromArtifactId)
            j.string("toArtifactId", r.toArtifactId)
            j.value("fromRuntime", r.fromRuntime)
            j.value("toRuntime", r.toRuntime)
            j.int("warmupMinutes", r.warmupMinutes)
            j.int("keepMinutes", r.keepMinutes)
            j.string("oldProtonId", r.oldProtonId)
            j.string("candidateProtonId", r.candidateProtonId)
            j.string("actorId", r.actorId)
            j.timestamp("createdAt", r.createdAt)
            j.timestamp("updatedAt", r.updatedAt)
            j.timestamp("completedAt", r.completedAt)
            j.string("failureMessage", r.failureMessage)
            j.hex16("token", r.token)
            j.timestamp("pendingAt", r.pendingAt)
        }
    }

    static func write(_ h: HistoryEntry, _ j: inout JSONWriter) {
        j.object { j in
            j.string("id", h.id)
            j.string("kind", h.kind.rawValue)
            j.string("status", h.status)
            j.string("fromArtifactId", h.fromArtifactId)
            j.string("toArtifactId", h.toArtifactId)
            j.string("replacementId", h.replacementId)
            j.string("trigger", h.trigger)
            j.string("actorId", h.actorId)
            j.timestamp("startedAt", h.startedAt)
            j.timestamp("finishedAt", h.finishedAt)
            j.string("message", h.message)
        }
    }

    static func write(_ b: ArtifactBuild, _ j: inout JSONWriter) {
        j.object { j in
            j.string("id", b.id)
            j.string("artifactId", b.artifactId)
            j.string("status", b.status.rawValue)
            j.timestamp("createdAt", b.createdAt)
            j.timestamp("updatedAt", b.updatedAt)
            j.string("creatorId", b.creatorId)
            j.string("imageUri", b.imageUri)
            j.array("transitions") { j in
                for t in b.transitions {
                    j.object { j in
                        j.string("status", t.status.rawValue)
                        j.timestamp("at", t.at)
                    }
                }
            }
        }
    }

    static func write(_ d: Deployment, _ j: inout JSONWriter) {
        j.object { j in
            j.string("id", d.id)
            j.int("seq", d.seq)
            j.string("name", d.name)
            j.string("description", d.description)
            j.string("importance", d.importance.rawValue)
            j.string("workloadId", d.workloadId)
            j.string("creatorId", d.creatorId)
            j.timestamp("createdAt", d.createdAt)
            j.timestamp("updatedAt", d.updatedAt)
        }
    }

    /// `EmulatorLogEntry.json`'s keys: the absent ones are left out, not null.
    static func write(_ e: EmulatorLogEntry, _ j: inout JSONWriter) {
        j.object { j in
            j.timestamp("timestamp", e.at)
            j.string("kind", e.kind)
            j.string("workloadId", e.workloadId)
            if let from = e.from { j.string("from", from.rawValue) }
            if let to = e.to { j.string("to", to.rawValue) }
            if let detail = e.detail { j.string("detail", detail) }
        }
    }
}
