# Saves a spreadsheet with a password through LibreOffice's UNO API (needs python3-uno;
# run with /usr/bin/python3, the interpreter uno is installed for):
#   /usr/bin/python3 save_with_password.py <in> <out> <filter> <password>
import os, shutil, subprocess, sys, tempfile, time, uno
from com.sun.star.beans import PropertyValue

def prop(n, v):
    p = PropertyValue(); p.Name = n; p.Value = v; return p

src, dst, flt, pw = sys.argv[1:5]
port = 2002 + os.getpid() % 1000
profile = tempfile.mkdtemp()  # a private profile: another soffice running would swallow the job
office = subprocess.Popen(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--invisible",
                           "--norestore", f"--accept=socket,host=127.0.0.1,port={port};urp;"])
try:
    resolver = uno.getComponentContext().ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", uno.getComponentContext())
    for _ in range(60):
        try:
            ctx = resolver.resolve(f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext"); break
        except Exception:
            time.sleep(1)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(src)), "_blank", 0, (prop("Hidden", True),))
    doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(dst)), (prop("FilterName", flt), prop("Password", pw)))
    doc.close(True)
finally:
    office.terminate(); office.wait()
    shutil.rmtree(profile, ignore_errors=True)
