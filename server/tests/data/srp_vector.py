# The SRP test vector in srp_vector.txt, from pycognito's client math (pip install pycognito==2024.5.1).
import pycognito.aws_srp as s
import hmac, hashlib, base64
N = s.hex_to_long(s.N_HEX); g = 2
k = s.hex_to_long(s.hex_hash("00" + s.N_HEX + "0" + s.G_HEX))
print("k", format(k, "x"))
pool_id, username, password = "us-east-1_ExAmPle12", "alice", "Passw0rd!"
salt_hex = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"  # leading zero: padding drops it
user_pass_hash = s.hash_sha256(f"{pool_id.split('_')[1]}{username}:{password}".encode())
x = s.hex_to_long(s.hex_hash(s.pad_hex(s.hex_to_long(salt_hex)) + user_pass_hash))
v = pow(g, x, N)
b = int("7f" * 32, 16)
B = (k * v + pow(g, b, N)) % N
srp = s.AWSSRP.__new__(s.AWSSRP)
srp.pool_id = pool_id; srp.big_n = N; srp.val_g = g; srp.val_k = k
srp.small_a_value = int("3c" * 128, 16) % N
srp.large_a_value = pow(g, srp.small_a_value, N)
hkdf = srp.get_password_authentication_key(username, password, B, s.hex_to_long(salt_hex))
block = bytes(range(48))
ts = "Sat Dec 5 20:01:02 UTC 2026"
msg = pool_id.split("_")[1].encode() + username.encode() + block + ts.encode()
sig = base64.standard_b64encode(hmac.new(hkdf, msg, hashlib.sha256).digest()).decode()
print("v", format(v, "x"))
print("A", format(srp.large_a_value, "x"))
print("B", format(B, "x"))
print("hkdf", hkdf.hex())
print("sig", sig)
