package main

import (
	encjson "encoding/json"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	line    int
	keyword string
	args    string
}

func parseDockerfile(text string) []instruction {
	var out []instruction
	var current strings.Builder
	start := 0
	for i, raw := range strings.Split(text, "\n") {
		line := strings.TrimSpace(raw)
		if current.Len() == 0 && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if current.Len() == 0 {
			start = i + 1
		} else if strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasSuffix(line, "\\") {
			current.WriteString(strings.TrimSuffix(line, "\\"))
			current.WriteString(" ")
			continue
		}
		current.WriteString(line)
		keyword, args, _ := strings.Cut(current.String(), " ")
		out = append(out, instruction{line: start, keyword: strings.ToUpper(keyword), args: strings.TrimSpace(args)})
		current.Reset()
	}
	return out
}

var argDefault = regexp.MustCompile(`^(\w+)=(\S+)$`)

// validateDockerfile checks the image the compose services and the manifests run: Debian-based
// (glibc, for sharp's and resvg's prebuilt binaries), a numeric non-root user, production mode,
// and a default command that runs a service.
func validateDockerfile(repo *repo, r *report) {
	const where = "Dockerfile"
	data, err := os.ReadFile(filepath.Join(repo.root, "Dockerfile"))
	if err != nil {
		r.add(where, "%v", err)
		return
	}
	instructions := parseDockerfile(string(data))
	args := map[string]string{}
	var stages [][]instruction
	for _, in := range instructions {
		switch in.keyword {
		case "ARG":
			if m := argDefault.FindStringSubmatch(in.args); m != nil && len(stages) == 0 {
				args[m[1]] = m[2]
			}
		case "FROM":
			stages = append(stages, nil)
			image := strings.Fields(in.args)[0]
			for name, value := range args {
				image = strings.ReplaceAll(image, "${"+name+"}", value)
			}
			if !strings.HasPrefix(image, "node:") && !isStageName(instructions, image) {
				r.add(where, "line %d: FROM %s; the image builds on node's Debian images", in.line, image)
			}
			if strings.HasPrefix(image, "node:") && !strings.Contains(image, "bookworm") {
				r.add(where, "line %d: FROM %s: use a Debian bookworm image (sharp and resvg ship glibc binaries; alpine's musl cannot load them)", in.line, image)
			}
		}
		if len(stages) > 0 {
			stages[len(stages)-1] = append(stages[len(stages)-1], in)
		}
	}
	if len(stages) < 2 {
		r.add(where, "is not multi-stage: build with the dev dependencies, run without them")
		return
	}
	final := stages[len(stages)-1]
	user, production, command := "", false, ""
	for _, in := range final {
		switch in.keyword {
		case "USER":
			user = in.args
		case "ENV":
			if strings.Contains(in.args, "NODE_ENV=production") {
				production = true
			}
		case "CMD":
			command = in.args
		case "RUN":
			if strings.Contains(in.args, "npm install") || strings.Contains(in.args, "npm ci") {
				r.add(where, "line %d: the runtime stage installs packages; copy them from the build stage", in.line)
			}
		}
	}
	uid, _, _ := strings.Cut(user, ":")
	if n, err := strconv.Atoi(uid); err != nil || n == 0 {
		r.add(where, "the runtime stage's USER is %q: use a numeric non-root user, which Kubernetes' runAsNonRoot can verify", user)
	}
	if !production {
		r.add(where, "the runtime stage does not set NODE_ENV=production")
	}
	checkWorkspacesShipped(repo, stages, r)
	var cmd []string
	if err := encjson.Unmarshal([]byte(command), &cmd); err != nil {
		r.add(where, "the runtime stage's CMD %q is not in JSON form", command)
	} else if _, err := repo.serviceOfCommand(cmd); err != nil {
		r.add(where, "CMD: %v", err)
	}
	ignore, err := os.ReadFile(filepath.Join(repo.root, ".dockerignore"))
	if err != nil {
		r.add(".dockerignore", "is missing: the build context would carry node_modules and dist")
		return
	}
	for _, pattern := range []string{"**/node_modules", "**/dist", ".git"} {
		if !strings.Contains("\n"+string(ignore)+"\n", "\n"+pattern+"\n") {
			r.add(".dockerignore", "does not exclude %s", pattern)
		}
	}
	r.note("Dockerfile: %d stages, runtime user %s", len(stages), user)
}

// checkWorkspacesShipped checks that the image builds and ships every npm workspace folder
// (packages, services, examples): an earlier stage gathers each one's package.json for `npm ci`,
// which silently leaves out a workspace whose package.json it does not find (its dependencies and
// its link in node_modules); the build stage removes its sources;
// the runtime stage copies the folder, which node_modules/@weft/* link to and whose built files
// the commands of compose and the manifests run (examples/custom-worker's worker among them).
func checkWorkspacesShipped(repo *repo, stages [][]instruction, r *report) {
	const where = "Dockerfile"
	final := stages[len(stages)-1]
	var earlier []instruction
	for _, stage := range stages[:len(stages)-1] {
		earlier = append(earlier, stage...)
	}
	runs := func(in []instruction, text string) bool {
		for _, i := range in {
			if i.keyword == "RUN" && strings.Contains(i.args, text) {
				return true
			}
		}
		return false
	}
	for _, folder := range repo.workspaceRoots {
		if !runs(earlier, folder+"/*/package.json") {
			r.add(where, "no stage gathers %s/*/package.json before npm ci: the workspaces of package.json include %s/*, and npm ci leaves out, without a word, a workspace whose package.json it cannot find", folder, folder)
		}
		if !runs(earlier, folder+"/*/src") {
			r.add(where, "the build stage does not remove %s/*/src: sources do not belong in the runtime image", folder)
		}
		copied := false
		for _, in := range final {
			fields := strings.Fields(in.args)
			if in.keyword == "COPY" && len(fields) >= 2 && path.Clean(fields[len(fields)-1]) == folder &&
				path.Base(path.Clean(fields[len(fields)-2])) == folder {
				copied = true
			}
		}
		if !copied {
			r.add(where, "the runtime stage does not copy %s: node_modules/@weft/* link to the workspaces there, and what runs from it would be missing", folder)
		}
	}
}

// isStageName is true when image names an earlier stage (`FROM build`).
func isStageName(all []instruction, image string) bool {
	for _, in := range all {
		if in.keyword == "FROM" {
			fields := strings.Fields(in.args)
			if len(fields) == 3 && strings.EqualFold(fields[1], "AS") && fields[2] == image {
				return true
			}
		}
	}
	return false
}
