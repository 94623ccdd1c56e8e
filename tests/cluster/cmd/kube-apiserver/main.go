// kube-apiserver built from the k8s.io/kubernetes module pinned in ../../go.mod, the same main as
// upstream cmd/kube-apiserver, so the tests talk to the real admission chain and authorizers.
package main

import (
	"os"
	_ "time/tzdata" // CronJob time zones are validated against the tz database

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}
